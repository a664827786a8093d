#ifndef SECEX_CHART_H
#define SECEX_CHART_H

/* Small inline SVG charts for HTML pages: a bar chart and a line chart, with axes, ticks and
 * labels. Text is escaped; numbers are printed with fixed precision, so the same input gives
 * the same bytes. Private to the library. */

#include <stddef.h>
#include "secex/util.h"

typedef struct {
	const char *title;   /* above the chart, and the SVG's accessible name */
	const char *x_label; /* under the x axis */
	const char *y_label; /* along the y axis */
	int width, height;   /* pixels; 0: 560 by 320 */
	const double *x_values; /* line charts: each point's x (seconds), increasing; NULL: evenly spaced */
} secex_chart;

typedef struct {
	const char *label;
	double value;        /* >= 0 */
} secex_chart_bar;

/* One bar per item, all filled with fill ("#rrggbb"), each with its value above it. */
int secex_chart_bars(secex_buf *out, const secex_chart *chart, const secex_chart_bar *bars, size_t n,
		     const char *fill);

typedef struct {
	const char *name;    /* in the legend */
	const char *color;   /* "#rrggbb" */
	const double *values; /* one per x label, >= 0; NAN leaves a gap */
} secex_chart_line;

/* One line per series over the n x labels (placed by x_values, else evenly), with a square marker at every
 * value and a legend; as many x labels are written as fit, evenly picked, the last always. */
int secex_chart_lines(secex_buf *out, const secex_chart *chart, const char *const *x_labels, size_t n,
		      const secex_chart_line *lines, size_t nlines);

#endif
