/* SPDX-License-Identifier: GPL-3.0-or-later */
/* desktop-chart.c: see desktop-chart.h. Drawn top to bottom: the title,
 * the legend (flowing, wrapping), the plot with its y labels, and the
 * time labels under it. The newest sample is at the right edge, so the
 * lines grow in from the right and slide left as time passes.
 *
 * Drawing: GTK 4.8 has no path node (GskPath came in 4.14). The series
 * lines are one cairo node per snapshot (gtk_snapshot_append_cairo, still
 * GtkSnapshot's own API): antialiased polylines with round joins, where
 * a rotated colour node per segment would cost one transform node, and in
 * the GL renderer one offscreen, per segment. Everything axis-aligned
 * (gridlines, legend swatches) is a colour node and all text a layout
 * node, so those stay crisp and are drawn by the renderer itself. */

#include <glib/gi18n.h>

#include "desktop-chart.h"

#define PAD          6    /* px between the parts */
#define LEGEND_GAP   12   /* px between legend entries */
#define SWATCH       10   /* px, the legend's colour squares */
#define LINE_WIDTH   2.0
#define N_GRIDLINES  3    /* 0, half the maximum, the maximum */

/* Mid tones of the GNOME palette: they read on a light and a dark
 * background alike, so the chart needs no second palette for dark style. */
static const char *const palette[] = {
  "#3584e4", /* blue 3 */
  "#e66100", /* orange 5 */
  "#2ec27e", /* green 4 */
  "#c061cb", /* purple 2 */
  "#e01b24", /* red 3 */
  "#c88800", /* a darker yellow 5: yellow itself vanishes on white */
  "#986a44", /* brown 3 */
  "#1c9fa8", /* teal */
};

typedef struct
{
  gint64 time_us;
  double value;
} Sample;

typedef struct
{
  char    *name;
  GArray  *samples;   /* Sample, oldest first */
  GdkRGBA  color;
} Series;

static void
series_free (Series *series)
{
  g_free (series->name);
  g_array_unref (series->samples);
  g_free (series);
}

struct _DesktopChart
{
  GtkWidget  parent_instance;

  char      *title;
  GPtrArray *series;       /* Series, in the order they came */
  guint      next_color;   /* palette index for the next new series */
  gint64     newest_us;    /* the newest sample's time: the right edge */
};

G_DEFINE_FINAL_TYPE (DesktopChart, desktop_chart, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_TITLE, N_PROPS };
static GParamSpec *properties[N_PROPS];

static Series *
lookup_series (DesktopChart *self,
               const char   *name)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);

      if (g_strcmp0 (series->name, name) == 0)
        return series;
    }
  return NULL;
}

static double
latest_value (Series *series)
{
  return g_array_index (series->samples, Sample, series->samples->len - 1).value;
}

/* Whole numbers (lag, counts) as such, rates with one decimal. */
static char *
format_value (double value)
{
  if (value >= 100 || value <= -100 || value == (double) (gint64) value)
    return g_strdup_printf ("%.0f", value);
  return g_strdup_printf ("%.1f", value);
}

/* The smallest 1, 2 or 5 × 10^k at or above @value, so the gridlines
 * fall on round numbers; 1 for an all-zero chart. */
static double
nice_ceiling (double value)
{
  static const double steps[] = { 1, 2, 5, 10 };
  double magnitude = 1;

  if (!(value > 0 && value < G_MAXDOUBLE))
    return 1;
  while (magnitude * 10 < value)
    magnitude *= 10;
  while (magnitude > value)
    magnitude /= 10;
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (value <= steps[i] * magnitude)
      return steps[i] * magnitude;
  return 10 * magnitude;
}

static void
update_accessible (DesktopChart *self)
{
  g_autoptr(GString) summary = g_string_new (NULL);

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);
      g_autofree char *value = format_value (latest_value (series));

      if (i > 0)
        g_string_append (summary, ", ");
      /* Translators: a chart series' name and its latest value */
      g_string_append_printf (summary, _("%s: %s"), series->name, value);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, self->title != NULL ? self->title : "",
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  summary->len > 0 ? summary->str : _("Collecting samples…"),
                                  -1);
}

/* ---- drawing ---- */

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             float          x,
             float          y,
             const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

/* The y label of gridline @i (0 at the bottom). */
static PangoLayout *
axis_label_new (GtkWidget *widget,
                double     maximum,
                guint      i)
{
  /* Round maxima of 10 and up halve to whole numbers; below, %g keeps
   * 0.25 or 2.5 exact. */
  g_autofree char *text = g_strdup_printf (maximum >= 10 ? "%.0f" : "%g", maximum * i / (N_GRIDLINES - 1));

  return gtk_widget_create_pango_layout (widget, text);
}

/* Draws the legend from @top across @width; returns its height. */
static float
snapshot_legend (DesktopChart  *self,
                 GtkSnapshot   *snapshot,
                 float          top,
                 float          width,
                 const GdkRGBA *fg)
{
  float x = 0, y = top, row_height = 0;

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);
      g_autofree char *value = format_value (latest_value (series));
      g_autofree char *text = g_strdup_printf (_("%s: %s"), series->name, value);
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
      int text_width, text_height;
      float entry_width;

      pango_layout_get_pixel_size (layout, &text_width, &text_height);
      entry_width = SWATCH + PAD + text_width;
      if (x > 0 && x + entry_width > width)
        {
          x = 0;
          y += row_height;
          row_height = 0;
        }
      gtk_snapshot_append_color (snapshot, &series->color,
                                 &GRAPHENE_RECT_INIT (x, y + (text_height - SWATCH) / 2.0f, SWATCH, SWATCH));
      append_text (snapshot, layout, x + SWATCH + PAD, y, fg);
      x += entry_width + LEGEND_GAP;
      row_height = MAX (row_height, text_height);
    }
  return y + row_height - top;
}

static void
snapshot_lines (DesktopChart          *self,
                GtkSnapshot           *snapshot,
                const graphene_rect_t *plot,
                double                 maximum)
{
  gint64 start_us = self->newest_us - DESKTOP_CHART_WINDOW_US;
  graphene_rect_t bounds;
  cairo_t *cr;

  /* Room for the line's width around the plot: the newest point sits on
   * the right edge. */
  graphene_rect_inset_r (plot, -2 * LINE_WIDTH, -2 * LINE_WIDTH, &bounds);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);

  cairo_set_line_width (cr, LINE_WIDTH);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);

      for (guint j = 0; j < series->samples->len; j++)
        {
          Sample *s = &g_array_index (series->samples, Sample, j);
          double x = plot->origin.x + plot->size.width * (s->time_us - start_us) / DESKTOP_CHART_WINDOW_US;
          double y = plot->origin.y + plot->size.height * (1 - CLAMP (s->value, 0, maximum) / maximum);

          if (series->samples->len == 1)
            cairo_arc (cr, x, y, 1.5 * LINE_WIDTH, 0, 2 * G_PI);   /* a lone sample: a dot */
          else if (j == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      gdk_cairo_set_source_rgba (cr, &series->color);
      if (series->samples->len == 1)
        cairo_fill (cr);
      else
        cairo_stroke (cr);
    }
  cairo_destroy (cr);
}

static void
desktop_chart_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  DesktopChart *self = DESKTOP_CHART (widget);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);
  float top = 0, label_width = 0, bottom;
  g_autoptr(PangoLayout) start_label = NULL;
  g_autoptr(PangoLayout) end_label = NULL;
  int text_width, text_height;
  graphene_rect_t plot;
  double maximum = 0;
  GdkRGBA fg, dim, grid;

  /* Text in the widget's own colour (light or dark style), the rest
   * derived from it. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  dim = fg;
  dim.alpha *= 0.55f;
  grid = fg;
  grid.alpha *= 0.15f;

  if (self->title != NULL)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, self->title);

      pango_layout_set_width (layout, width * PANGO_SCALE);
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_get_pixel_size (layout, NULL, &text_height);
      append_text (snapshot, layout, 0, 0, &dim);
      top = text_height + PAD;
    }

  if (self->series->len == 0)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, _("Collecting samples…"));

      pango_layout_get_pixel_size (layout, &text_width, &text_height);
      append_text (snapshot, layout, (width - text_width) / 2, top + (height - top - text_height) / 2, &dim);
      return;
    }

  top += snapshot_legend (self, snapshot, top, width, &fg) + PAD;

  for (guint i = 0; i < self->series->len; i++)
    {
      Series *series = g_ptr_array_index (self->series, i);

      for (guint j = 0; j < series->samples->len; j++)
        maximum = MAX (maximum, g_array_index (series->samples, Sample, j).value);
    }
  maximum = nice_ceiling (maximum);
  for (guint i = 0; i < N_GRIDLINES; i++)
    {
      g_autoptr(PangoLayout) label = axis_label_new (widget, maximum, i);

      pango_layout_get_pixel_size (label, &text_width, NULL);
      label_width = MAX (label_width, text_width);
    }

  /* Translators: the left end of a chart's time axis */
  start_label = gtk_widget_create_pango_layout (widget, _("5 min ago"));
  /* Translators: the right end of a chart's time axis */
  end_label = gtk_widget_create_pango_layout (widget, _("now"));
  pango_layout_get_pixel_size (end_label, &text_width, &text_height);
  /* Half a label above and below the plot: the top and bottom y labels
   * are centred on their gridlines. */
  bottom = height - text_height - PAD;
  plot = GRAPHENE_RECT_INIT (label_width + PAD, top + text_height / 2.0f,
                             width - label_width - PAD - 2 * LINE_WIDTH, 0);
  plot.size.height = bottom - text_height / 2.0f - plot.origin.y;
  if (plot.size.width < 1 || plot.size.height < 1)
    return;

  for (guint i = 0; i < N_GRIDLINES; i++)
    {
      g_autoptr(PangoLayout) label = axis_label_new (widget, maximum, i);
      float y = plot.origin.y + plot.size.height * (1 - (float) i / (N_GRIDLINES - 1));
      int w, h;

      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (plot.origin.x, y - 0.5f, plot.size.width, 1));
      pango_layout_get_pixel_size (label, &w, &h);
      append_text (snapshot, label, label_width - w, y - h / 2.0f, &dim);
    }

  snapshot_lines (self, snapshot, &plot, maximum);

  append_text (snapshot, start_label, plot.origin.x, bottom + PAD, &dim);
  append_text (snapshot, end_label, plot.origin.x + plot.size.width - text_width, bottom + PAD, &dim);
}

static void
desktop_chart_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  /* Fits at 360 px wide (less the page's margins), and a legend of a
   * few rows above a readable plot. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 120;
      *natural = 480;
    }
  else
    {
      *minimum = 160;
      *natural = 200;
    }
}

/* ---- public ---- */

GtkWidget *
desktop_chart_new (void)
{
  return g_object_new (DESKTOP_TYPE_CHART, NULL);
}

void
desktop_chart_set_title (DesktopChart *self,
                         const char   *title)
{
  g_return_if_fail (DESKTOP_IS_CHART (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

const char *
desktop_chart_get_title (DesktopChart *self)
{
  g_return_val_if_fail (DESKTOP_IS_CHART (self), NULL);
  return self->title;
}

void
desktop_chart_add_sample (DesktopChart *self,
                          const char   *name,
                          gint64        time_us,
                          double        value)
{
  Series *series;
  gint64 cutoff;

  g_return_if_fail (DESKTOP_IS_CHART (self));
  g_return_if_fail (name != NULL);

  series = lookup_series (self, name);
  if (series == NULL)
    {
      series = g_new0 (Series, 1);
      series->name = g_strdup (name);
      series->samples = g_array_new (FALSE, FALSE, sizeof (Sample));
      gdk_rgba_parse (&series->color, palette[self->next_color++ % G_N_ELEMENTS (palette)]);
      g_ptr_array_add (self->series, series);
    }
  g_array_append_val (series->samples, ((Sample) { time_us, value }));
  self->newest_us = MAX (self->newest_us, time_us);

  /* Slide the window; a series whose samples all fell out (a partition
   * no longer reported) leaves the legend too. */
  cutoff = self->newest_us - DESKTOP_CHART_WINDOW_US;
  for (guint i = self->series->len; i-- > 0;)
    {
      Series *s = g_ptr_array_index (self->series, i);
      guint old = 0;

      while (old < s->samples->len && g_array_index (s->samples, Sample, old).time_us < cutoff)
        old++;
      g_array_remove_range (s->samples, 0, old);
      if (s->samples->len == 0)
        g_ptr_array_remove_index (self->series, i);
    }
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
desktop_chart_clear (DesktopChart *self)
{
  g_return_if_fail (DESKTOP_IS_CHART (self));

  g_ptr_array_set_size (self->series, 0);
  self->next_color = 0;
  self->newest_us = G_MININT64;
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
desktop_chart_get_n_series (DesktopChart *self)
{
  g_return_val_if_fail (DESKTOP_IS_CHART (self), 0);
  return self->series->len;
}

guint
desktop_chart_get_n_samples (DesktopChart *self,
                             const char   *name)
{
  Series *series;

  g_return_val_if_fail (DESKTOP_IS_CHART (self), 0);
  series = lookup_series (self, name);
  return series != NULL ? series->samples->len : 0;
}

gboolean
desktop_chart_get_latest (DesktopChart *self,
                          const char   *name,
                          double       *value)
{
  Series *series;

  g_return_val_if_fail (DESKTOP_IS_CHART (self), FALSE);
  series = lookup_series (self, name);
  if (series == NULL)
    return FALSE;
  if (value != NULL)
    *value = latest_value (series);
  return TRUE;
}

gboolean
desktop_chart_get_series_color (DesktopChart *self,
                                const char   *name,
                                GdkRGBA      *color)
{
  Series *series;

  g_return_val_if_fail (DESKTOP_IS_CHART (self), FALSE);
  series = lookup_series (self, name);
  if (series == NULL)
    return FALSE;
  if (color != NULL)
    *color = series->color;
  return TRUE;
}

/* ---- GObject ---- */

static void
desktop_chart_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  DesktopChart *self = DESKTOP_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
desktop_chart_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  DesktopChart *self = DESKTOP_CHART (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      desktop_chart_set_title (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
desktop_chart_finalize (GObject *object)
{
  DesktopChart *self = DESKTOP_CHART (object);

  g_free (self->title);
  g_ptr_array_unref (self->series);
  G_OBJECT_CLASS (desktop_chart_parent_class)->finalize (object);
}

static void
desktop_chart_class_init (DesktopChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = desktop_chart_get_property;
  object_class->set_property = desktop_chart_set_property;
  object_class->finalize = desktop_chart_finalize;
  widget_class->snapshot = desktop_chart_snapshot;
  widget_class->measure = desktop_chart_measure;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
desktop_chart_init (DesktopChart *self)
{
  self->series = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free);
  self->newest_us = G_MININT64;
  /* The axis and legend in the small caption font. */
  gtk_widget_add_css_class (GTK_WIDGET (self), "caption");
  update_accessible (self);
}
