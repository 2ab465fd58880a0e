/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-chart.h: a small line chart of named series of (time, value)
 * samples over a sliding window (the last DESKTOP_CHART_WINDOW_US): a y
 * axis from 0 to a rounded maximum with gridlines, a legend with each
 * series' latest value, "Collecting samples…" until the first sample. Its
 * accessible description reads out the latest values. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* How much history the chart keeps and shows: 5 minutes. */
#define DESKTOP_CHART_WINDOW_US (5 * 60 * G_USEC_PER_SEC)

#define DESKTOP_TYPE_CHART (desktop_chart_get_type ())
G_DECLARE_FINAL_TYPE (DesktopChart, desktop_chart, DESKTOP, CHART, GtkWidget)

GtkWidget  *desktop_chart_new              (void);
/* The "title" property: drawn above the plot and the accessible label. */
void        desktop_chart_set_title        (DesktopChart *self,
                                            const char   *title);
const char *desktop_chart_get_title        (DesktopChart *self);
/* Appends a sample to @series (created on first use, in the next colour)
 * at @time_us (any clock, the same for every call; not before the series'
 * last sample), then drops what falls out of the window before the newest
 * sample, and series left without samples. */
void        desktop_chart_add_sample       (DesktopChart *self,
                                            const char   *series,
                                            gint64        time_us,
                                            double        value);
/* Drops every series. */
void        desktop_chart_clear            (DesktopChart *self);

/* For tests and summaries. */
guint       desktop_chart_get_n_series     (DesktopChart *self);
/* 0 for a series the chart does not have. */
guint       desktop_chart_get_n_samples    (DesktopChart *self,
                                            const char   *series);
/* FALSE when the chart has no @series; else @value gets its latest. */
gboolean    desktop_chart_get_latest       (DesktopChart *self,
                                            const char   *series,
                                            double       *value);
/* FALSE when the chart has no @series; else @color gets its colour. */
gboolean    desktop_chart_get_series_color (DesktopChart *self,
                                            const char   *series,
                                            GdkRGBA      *color);

G_END_DECLS
