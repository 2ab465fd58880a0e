/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gui-test-util.h: what every GUI test shares — a real caudald on an
 * ephemeral port, the application set up as a test runs it, a main-loop
 * wait with a deadline, and finders for widgets, toasts and windows. */

#pragma once

#include <gtk/gtk.h>

#include "desktop-application.h"

G_BEGIN_DECLS

#define WAIT_SECONDS 30

/* A caudald started for one test program, stopped (SIGTERM) and its data
 * directory removed by gui_test_broker_stop(). */
typedef struct
{
  GSubprocess *process;
  char        *dir;
  char        *bootstrap;   /* "127.0.0.1:PORT" */
} GuiTestBroker;

/* The environment GUI tests run in (memory settings, no a11y bus), then
 * gtk_test_init(). */
void                gui_test_init              (int    *argc,
                                                char ***argv);
/* Starts $CAUDALD with @extra_overrides ("key=value", NULL-terminated;
 * may be NULL) and waits for its ready file. */
void                gui_test_broker_start      (GuiTestBroker      *broker,
                                                const char * const *extra_overrides);
void                gui_test_broker_stop       (GuiTestBroker *broker);
/* A registered, non-unique application, as main() would run it. */
DesktopApplication *gui_test_app_new           (void);
/* Destroys every toplevel (end of a test program). */
void                gui_test_destroy_toplevels (void);

/* Iterates the default main context once, with a 10 ms ticker so that a
 * WAIT_FOR condition is re-checked often. Used by WAIT_FOR. */
guint               gui_test_ticker_start      (void);

/* Iterates the main context until @cond holds, failing after
 * WAIT_SECONDS. */
#define WAIT_FOR(cond)                                                             \
  G_STMT_START {                                                                   \
    gint64 deadline_ = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;    \
    guint ticker_ = gui_test_ticker_start ();                                      \
    while (!(cond))                                                                \
      {                                                                            \
        if (g_get_monotonic_time () > deadline_)                                   \
          g_error ("timed out waiting for: %s", #cond);                            \
        g_main_context_iteration (NULL, TRUE);                                     \
      }                                                                            \
    g_source_remove (ticker_);                                                     \
  } G_STMT_END

/* A template child of @widget's class @TYPE. */
#define CHILD(widget, Type, TYPE, name) \
  ((Type *) gtk_widget_get_template_child (GTK_WIDGET (widget), TYPE, name))

typedef gboolean (*WidgetMatch) (GtkWidget *widget, gconstpointer data);

/* Depth-first: @root or the first descendant @match accepts. */
GtkWidget *find_widget            (GtkWidget    *root,
                                   WidgetMatch   match,
                                   gconstpointer data);
/* Matchers for find_widget(). */
gboolean   match_label_containing (GtkWidget    *widget,
                                   gconstpointer text);
gboolean   match_button_label     (GtkWidget    *widget,
                                   gconstpointer label);
/* An AdwActionRow whose widget name is @name (rows are named after what
 * they show). */
gboolean   match_row_named        (GtkWidget    *widget,
                                   gconstpointer name);

/* Clicks the button labelled @label inside @dialog (a response). */
void       click_response         (GtkWindow  *dialog,
                                   const char *label);
/* A toast on @window whose text contains @text. */
gboolean   has_toast              (GtkWindow  *window,
                                   const char *text);
/* The visible toplevel of @type, or NULL. */
GtkWindow *find_toplevel          (GType type);

G_END_DECLS
