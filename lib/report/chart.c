/* Inline SVG bar and line charts, deterministic to the byte. */

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "chart.h"
#include "secex/common.h"
#include "secex/banned.h"

#define LEFT 64.0
#define RIGHT 44.0
#define LABEL_W 90.0 /* room for one x label, "2026-11-20" at 12px */
#define TOP 44.0
#define BOTTOM 64.0
#define INK "#333333"
#define GRID "#dddddd"

/* The plot area and the y scale of one chart. */
typedef struct {
	double w, h;           /* whole chart */
	double pw, ph;         /* plot area */
	double ymax, step;     /* the y axis runs 0..ymax in ticks of step */
	int decimals;          /* for tick labels */
	const double *xs;      /* x positions of the points (dates), or NULL: evenly spaced */
} frame;

/* A round tick step (1, 2 or 5 times a power of ten) giving about five ticks up to max;
 * at least 1 when every value is a whole number. */
static void scale(frame *f, double max, bool whole)
{
	double raw = max > 0 ? max / 5 : 1, mag = 1;
	static const double mult[] = { 1, 2, 5, 10 };
	size_t i;

	while (mag * 10 <= raw)
		mag *= 10;
	while (mag > raw)
		mag /= 10;
	for (i = 0; i < sizeof(mult) / sizeof(*mult) && mult[i] * mag < raw; i++)
		;
	f->step = mult[i < 4 ? i : 3] * mag;
	if (whole && f->step < 1)
		f->step = 1;
	f->ymax = f->step * ceil(max / f->step);
	if (f->ymax <= 0)
		f->ymax = f->step;
	f->decimals = 0;
	for (mag = f->step; mag < 1 - 1e-9 && f->decimals < 6; mag *= 10)
		f->decimals++;
}

static void frame_init(frame *f, const secex_chart *chart)
{
	f->w = chart->width > 0 ? chart->width : 560;
	f->h = chart->height > 0 ? chart->height : 320;
	f->pw = f->w - LEFT - RIGHT;
	f->ph = f->h - TOP - BOTTOM;
	f->xs = chart->x_values;
}

static double y_of(const frame *f, double v)
{
	return TOP + f->ph - (v / f->ymax) * f->ph;
}

/* The <svg> element's start, the title, the grid with y ticks, both axes and their labels. */
static int open_chart(secex_buf *out, const secex_chart *chart, const frame *f)
{
	double v;
	int rc = 0, i;

	rc |= secex_buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
			       "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", f->w, f->h, f->w, f->h);
	rc |= secex_buf_put_xml(out, chart->title);
	rc |= secex_buf_puts(out, "\" font-family=\"sans-serif\" font-size=\"12\">\n<title>");
	rc |= secex_buf_put_xml(out, chart->title);
	rc |= secex_buf_printf(out, "</title>\n<text x=\"%.1f\" y=\"20\" text-anchor=\"middle\" font-size=\"15\" "
			       "font-weight=\"bold\" fill=\"" INK "\">", f->w / 2);
	rc |= secex_buf_put_xml(out, chart->title);
	rc |= secex_buf_puts(out, "</text>\n");
	for (i = 0, v = 0; v <= f->ymax + f->step / 1000; v = ++i * f->step) {
		double y = y_of(f, v);

		rc |= secex_buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" GRID "\"/>"
				       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"" INK "\">%.*f</text>\n",
				       LEFT, y, LEFT + f->pw, y, LEFT - 6, y + 4, f->decimals, v);
	}
	rc |= secex_buf_printf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" INK "\"/>"
			       "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" INK "\"/>\n",
			       LEFT, TOP, LEFT, TOP + f->ph, LEFT, TOP + f->ph, LEFT + f->pw, TOP + f->ph);
	rc |= secex_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"" INK "\">",
			       LEFT + f->pw / 2, f->h - 12);
	rc |= secex_buf_put_xml(out, chart->x_label ? chart->x_label : "");
	rc |= secex_buf_printf(out, "</text>\n<text transform=\"rotate(-90)\" x=\"%.1f\" y=\"16\" "
			       "text-anchor=\"middle\" fill=\"" INK "\">", -(TOP + f->ph / 2));
	rc |= secex_buf_put_xml(out, chart->y_label ? chart->y_label : "");
	rc |= secex_buf_puts(out, "</text>\n");
	return rc < 0 ? secex_error_nomem() : 0;
}

static int x_label(secex_buf *out, double x, double y, const char *anchor, const char *label)
{
	int rc = secex_buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"" INK "\">", x, y,
				  anchor);

	rc |= secex_buf_put_xml(out, label);
	rc |= secex_buf_puts(out, "</text>\n");
	return rc;
}

int secex_chart_bars(secex_buf *out, const secex_chart *chart, const secex_chart_bar *bars, size_t n,
		     const char *fill)
{
	double max = 0, slot, bw;
	bool whole = true;
	frame f;
	size_t i;
	int rc;

	frame_init(&f, chart);
	for (i = 0; i < n; i++) {
		max = bars[i].value > max ? bars[i].value : max;
		whole = whole && bars[i].value == floor(bars[i].value);
	}
	scale(&f, max, whole);
	if ((rc = open_chart(out, chart, &f)) < 0)
		return rc;
	slot = f.pw / (double)(n ? n : 1);
	bw = slot * 0.6;
	for (i = 0; i < n; i++) {
		double x = LEFT + slot * (double)i + (slot - bw) / 2, y = y_of(&f, bars[i].value);

		rc |= secex_buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
				       "shape-rendering=\"crispEdges\"><title>", x, y, bw, TOP + f.ph - y, fill);
		rc |= secex_buf_put_xml(out, bars[i].label);
		rc |= secex_buf_printf(out, ": %g</title></rect>\n"
				       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"" INK "\">%g</text>\n",
				       bars[i].value, x + bw / 2, y - 5, bars[i].value);
		rc |= x_label(out, x + bw / 2, TOP + f.ph + 18, "middle", bars[i].label);
	}
	rc |= secex_buf_puts(out, "</svg>\n");
	return rc < 0 ? secex_error_nomem() : 0;
}

static double x_at(const frame *f, size_t i, size_t n)
{
	double span = n > 1 && f->xs ? f->xs[n - 1] - f->xs[0] : 0;

	if (n < 2)
		return LEFT + f->pw / 2;
	if (span > 0) /* by date: a longer gap between two points is a longer distance */
		return LEFT + f->pw * (f->xs[i] - f->xs[0]) / span;
	return LEFT + f->pw * (double)i / (double)(n - 1);
}

static int one_line(secex_buf *out, const frame *f, const secex_chart_line *line, size_t n)
{
	bool open = false;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if (isnan(line->values[i])) {
			rc |= open ? secex_buf_puts(out, "\"/>\n") : 0;
			open = false;
			continue;
		}
		if (!open)
			rc |= secex_buf_printf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
					       line->color);
		rc |= secex_buf_printf(out, "%s%.1f,%.1f", open ? " " : "", x_at(f, i, n), y_of(f, line->values[i]));
		open = true;
	}
	rc |= open ? secex_buf_puts(out, "\"/>\n") : 0;
	for (i = 0; i < n; i++)
		if (!isnan(line->values[i]))
			rc |= secex_buf_printf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\" fill=\"%s\" "
					       "shape-rendering=\"crispEdges\"/>\n",
					       x_at(f, i, n) - 3, y_of(f, line->values[i]) - 3, line->color);
	return rc;
}

int secex_chart_lines(secex_buf *out, const secex_chart *chart, const char *const *x_labels, size_t n,
		      const secex_chart_line *lines, size_t nlines)
{
	size_t i, k;
	double max = 0, lx;
	bool whole = true;
	frame f;
	int rc;

	frame_init(&f, chart);
	for (k = 0; k < nlines; k++)
		for (i = 0; i < n; i++)
			if (!isnan(lines[k].values[i])) {
				max = lines[k].values[i] > max ? lines[k].values[i] : max;
				whole = whole && lines[k].values[i] == floor(lines[k].values[i]);
			}
	scale(&f, max, whole);
	if ((rc = open_chart(out, chart, &f)) < 0)
		return rc;
	/* the labels that fit: from the first, each a label's width after the one before and
	 * before the last, which is always written */
	for (i = 0, lx = -LABEL_W; i < n; i++) {
		double x = x_at(&f, i, n);

		if (i == n - 1 || (x - lx >= LABEL_W && x_at(&f, n - 1, n) - x >= LABEL_W)) {
			rc |= x_label(out, x, TOP + f.ph + 18, "middle", x_labels[i]);
			lx = x;
		}
	}
	for (k = 0; k < nlines; k++)
		rc |= one_line(out, &f, &lines[k], n);
	for (k = 0, lx = LEFT; k < nlines; k++) {
		rc |= secex_buf_printf(out, "<rect x=\"%.1f\" y=\"28\" width=\"12\" height=\"4\" fill=\"%s\"/>"
				       "<text x=\"%.1f\" y=\"34\" fill=\"" INK "\">", lx, lines[k].color, lx + 16);
		rc |= secex_buf_put_xml(out, lines[k].name);
		rc |= secex_buf_puts(out, "</text>\n");
		lx += 16 + 7.0 * (double)strlen(lines[k].name) + 18;
	}
	rc |= secex_buf_puts(out, "</svg>\n");
	return rc < 0 ? secex_error_nomem() : 0;
}
