using System.Globalization;
using System.Net;
using System.Text;

namespace SweepCluster.Analysis;

/// <summary>A minimal SVG writer: the report must open offline, so plots are drawn by hand instead of by a charting library.</summary>
internal sealed class Svg(int width, int height)
{
    private readonly StringBuilder body = new();

    public Svg Rect(double x, double y, double w, double h, string fill, string? tooltip = null)
    {
        body.Append(F($"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{w:0.#}\" height=\"{h:0.#}\" fill=\"{fill}\""));
        body.Append(tooltip is null ? "/>" : $"><title>{WebUtility.HtmlEncode(tooltip)}</title></rect>");
        return this;
    }

    public Svg Line(double x1, double y1, double x2, double y2, string stroke, bool dashed = false)
    {
        body.Append(F($"<line x1=\"{x1:0.#}\" y1=\"{y1:0.#}\" x2=\"{x2:0.#}\" y2=\"{y2:0.#}\" stroke=\"{stroke}\"{(dashed ? " stroke-dasharray=\"4 3\"" : "")}/>"));
        return this;
    }

    public Svg Polyline(IEnumerable<(double X, double Y)> points, string stroke)
    {
        var coordinates = string.Join(' ', points.Select(p => F($"{p.X:0.#},{p.Y:0.#}")));
        body.Append($"<polyline points=\"{coordinates}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"2\"/>");
        return this;
    }

    public Svg Circle(double x, double y, string fill, string tooltip, double radius = 3)
    {
        body.Append(F($"<circle cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"{radius:0.#}\" fill=\"{fill}\"><title>{WebUtility.HtmlEncode(tooltip)}</title></circle>"));
        return this;
    }

    public Svg Polygon(IEnumerable<(double X, double Y)> points, string fill, string tooltip)
    {
        var coordinates = string.Join(' ', points.Select(p => F($"{p.X:0.#},{p.Y:0.#}")));
        body.Append($"<polygon points=\"{coordinates}\" fill=\"{fill}\"><title>{WebUtility.HtmlEncode(tooltip)}</title></polygon>");
        return this;
    }

    public Svg Text(double x, double y, string text, string anchor = "middle", int rotate = 0, string fill = "#222")
    {
        var transform = rotate == 0 ? "" : F($" transform=\"rotate({rotate} {x:0.#} {y:0.#})\"");
        body.Append(F($"<text x=\"{x:0.#}\" y=\"{y:0.#}\" text-anchor=\"{anchor}\" fill=\"{fill}\"{transform}>{WebUtility.HtmlEncode(text)}</text>"));
        return this;
    }

    public override string ToString() =>
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" " +
        $"font-family=\"sans-serif\" font-size=\"11\">{body}</svg>";

    public static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

internal static class Plots
{
    private const int Left = 70, Top = 28, Bottom = 44;

    /// <summary>
    /// log10 of a value over (sample size × an axis), like the papers' figures. Cells without a value are grey, their
    /// tooltip saying why (<paramref name="empty"/> of the column's n: no trials yet, or skipped by an adaptive search);
    /// the colour scale spans the finite values, and a cell whose every seed failed takes the worst colour.
    /// </summary>
    public static string Heatmap(string title, string yLabel, IReadOnlyList<int> xs, IReadOnlyList<double> ys, Func<int, double, double?> value,
        Func<int, string>? empty = null)
    {
        var logs = xs.SelectMany(x => ys.Select(y => value(x, y))).OfType<double>()
            .Select(v => Math.Log10(v)).Where(double.IsFinite).ToList();
        var lo = logs.Count > 0 ? Math.Floor(logs.Min()) : -8;
        var hi = logs.Count > 0 ? Math.Max(Math.Ceiling(logs.Max()), lo + 1) : 0;

        double cellW = Math.Clamp(600.0 / xs.Count, 4, 40), cellH = Math.Clamp(220.0 / ys.Count, 12, 28);
        int plotW = (int)(cellW * xs.Count), plotH = (int)(cellH * ys.Count);
        var svg = new Svg(Left + plotW + 90, Top + plotH + Bottom);
        svg.Text(Left + plotW / 2.0, 16, title);
        for (var i = 0; i < xs.Count; i++)
            for (var j = 0; j < ys.Count; j++)
            {
                var v = value(xs[i], ys[j]);
                var log = v is { } e ? Math.Clamp(double.IsPositiveInfinity(e) || double.IsNaN(e) ? hi : Math.Log10(e), lo, hi) : (double?)null;
                // The smallest axis value is drawn at the bottom, as in the papers.
                svg.Rect(Left + i * cellW, Top + (ys.Count - 1 - j) * cellH, cellW, cellH,
                    log is { } l ? Colour((l - lo) / (hi - lo)) : "#ddd",
                    Svg.F($"n = {xs[i]}, {yLabel} = {ys[j]:g3}: {(v is { } e2 ? e2.ToString("g3", CultureInfo.InvariantCulture) : empty?.Invoke(xs[i]) ?? "no trials yet")}"));
            }
        var every = (int)Math.Ceiling(xs.Count / 15.0);
        for (var i = 0; i < xs.Count; i += every)
            svg.Text(Left + (i + 0.5) * cellW, Top + plotH + 14, xs[i].ToString(CultureInfo.InvariantCulture));
        svg.Text(Left + plotW / 2.0, Top + plotH + 34, "sample size n");
        for (var j = 0; j < ys.Count; j++)
            svg.Text(Left - 4, Top + (ys.Count - 0.5 - j) * cellH + 4, Svg.F($"{ys[j]:g3}"), "end");
        svg.Text(14, Top + plotH / 2.0, yLabel, rotate: -90);

        // Colour bar, top = worst.
        const int steps = 20;
        for (var k = 0; k < steps; k++)
            svg.Rect(Left + plotW + 20, Top + k * plotH / (double)steps, 14, plotH / (double)steps + 0.5, Colour(1 - (k + 0.5) / steps));
        svg.Text(Left + plotW + 38, Top + 10, Svg.F($"1e{hi + 0.0:0}"), "start"); // + 0.0 turns a ceiling of −0 into 0
        svg.Text(Left + plotW + 38, Top + plotH, Svg.F($"1e{lo:0}"), "start");
        return svg.ToString();
    }

    /// <summary>A line y(n) in [0, 1] with dashed vertical markers; markers beyond the last n are named at the right edge.</summary>
    public static string LinePlot(string title, string yLabel, IReadOnlyList<(int N, double Y)> points, double quorum,
        IReadOnlyList<(double X, string Label, string Colour)> markers)
    {
        const int plotW = 600, plotH = 200;
        var svg = new Svg(Left + plotW + 150, Top + plotH + Bottom);
        if (points.Count == 0) return svg.Text(Left + plotW / 2.0, Top + plotH / 2.0, "no results yet").ToString();
        double x0 = points.Min(p => p.N), x1 = Math.Max(points.Max(p => p.N), x0 + 1);
        double X(double n) => Left + (n - x0) / (x1 - x0) * plotW;
        double Y(double y) => Top + (1 - y) * plotH;

        svg.Text(Left + plotW / 2.0, 16, title);
        svg.Line(Left, Top + plotH, Left + plotW, Top + plotH, "#444").Line(Left, Top, Left, Top + plotH, "#444");
        foreach (var y in new[] { 0, 0.25, 0.5, 0.75, 1 })
            svg.Text(Left - 4, Y(y) + 4, Svg.F($"{y:0.##}"), "end");
        var every = Math.Max(1, (int)Math.Ceiling(points.Count / 15.0));
        for (var i = 0; i < points.Count; i += every)
            svg.Text(X(points[i].N), Top + plotH + 14, points[i].N.ToString(CultureInfo.InvariantCulture));
        svg.Text(Left + plotW / 2.0, Top + plotH + 34, "sample size n");
        svg.Text(14, Top + plotH / 2.0, yLabel, rotate: -90);
        svg.Line(Left, Y(quorum), Left + plotW, Y(quorum), "#999", dashed: true).Text(Left + plotW + 4, Y(quorum) + 4, "quorum", "start", fill: "#999");

        // Labels go one per line: markers often coincide (theory = empirical is the hoped-for outcome).
        for (var i = 0; i < markers.Count; i++)
        {
            var (x, label, colour) = markers[i];
            if (x >= x0 && x <= x1)
                svg.Line(X(x), Top, X(x), Top + plotH, colour, dashed: true).Text(X(x) + 3, Top + 40 + 14 * i, label, "start", fill: colour);
            else
                svg.Text(Left + plotW + 4, Top + 40 + 14 * i, $"{label} →", "start", fill: colour);
        }
        svg.Polyline(points.Select(p => (X(p.N), Y(p.Y))), "#1f77b4");
        foreach (var (n, y) in points)
            svg.Circle(X(n), Y(y), "#1f77b4", Svg.F($"n = {n}: {y:0.##}"));
        return svg.ToString();
    }

    /// <summary>
    /// Per group (one column each, in the given order), the empirical optimistic size (circle), the theoretical one
    /// (square) and the parameter count (triangle) on one log10 axis: sizes near 10 and counts in the thousands both
    /// stay readable. A group whose estimate was not reached shows "—" where its circle would be.
    /// </summary>
    public static string Overview(string title, IReadOnlyList<(string Group, int? Empirical, int? Theory, int Params)> groups)
    {
        const int plotH = 240;
        // Wide enough for the title however few groups there are.
        var plotW = (int)Math.Max(360, Math.Clamp(700.0 / Math.Max(1, groups.Count), 14, 60) * groups.Count);
        var colW = plotW / (double)Math.Max(1, groups.Count);
        // Group names are written at 45° below the axis: room for the longest.
        var labelRoom = 20 + 6 * Math.Min(40, groups.Count == 0 ? 0 : groups.Max(g => g.Group.Length)) * 0.72;
        var svg = new Svg(Left + plotW + 130, (int)(Top + plotH + labelRoom + 20));
        var values = groups.SelectMany(g => new[] { g.Empirical, g.Theory, g.Params > 0 ? g.Params : (int?)null }).OfType<int>().Where(v => v > 0).ToList();
        if (values.Count == 0) return svg.Text(Left + plotW / 2.0, Top + plotH / 2.0, "no results yet").ToString();
        var lo = Math.Floor(Math.Log10(values.Min()));
        var hi = Math.Max(Math.Ceiling(Math.Log10(values.Max())), lo + 1);
        double X(int i) => Left + (i + 0.5) * colW;
        double Y(double v) => Top + (1 - (Math.Log10(v) - lo) / (hi - lo)) * plotH;

        svg.Text(Left + plotW / 2.0, 16, title);
        svg.Line(Left, Top + plotH, Left + plotW, Top + plotH, "#444").Line(Left, Top, Left, Top + plotH, "#444");
        for (var d = lo; d <= hi; d++)
        {
            svg.Line(Left, Y(Math.Pow(10, d)), Left + plotW, Y(Math.Pow(10, d)), "#e5e5e5");
            svg.Text(Left - 4, Y(Math.Pow(10, d)) + 4, Svg.F($"1e{d:0}"), "end");
        }
        svg.Text(14, Top + plotH / 2.0, "sample size / parameters (log)", rotate: -90);
        for (var i = 0; i < groups.Count; i++)
        {
            var (group, empirical, theory, parameters) = groups[i];
            var label = group.Length > 40 ? group[..39] + "…" : group;
            svg.Text(X(i), Top + plotH + 12, label, "end", rotate: -45);
            if (parameters > 0)
                svg.Polygon([(X(i), Y(parameters) - 5), (X(i) - 5, Y(parameters) + 4), (X(i) + 5, Y(parameters) + 4)], ParamsColour,
                    Svg.F($"{group}: {parameters} parameters"));
            if (theory is { } t)
                svg.Rect(X(i) - 5, Y(t) - 5, 10, 10, TheoryColour, Svg.F($"{group}: theoretical optimistic size {t}"));
            // Smaller than the square, so that empirical = theory (the hoped-for outcome) shows both.
            if (empirical is { } m)
                svg.Circle(X(i), Y(m), EmpiricalColour, Svg.F($"{group}: empirical optimistic size {m}"), radius: 3.5);
            else
                svg.Text(X(i), Top + 12, "—", fill: EmpiricalColour);
        }
        var legend = new[] { ("empirical", EmpiricalColour), ("theory", TheoryColour), ("parameters", ParamsColour), ("— not reached", EmpiricalColour) };
        for (var k = 0; k < legend.Length; k++)
            svg.Text(Left + plotW + 10, Top + 14 + 16 * k, legend[k].Item1, "start", fill: legend[k].Item2);
        return svg.ToString();
    }

    // The same colours as the success plot's markers.
    private const string EmpiricalColour = "#9467bd", TheoryColour = "#2ca02c", ParamsColour = "#d62728";

    // Viridis at five stops, linearly interpolated: perceptually ordered and readable in grey.
    private static readonly (int R, int G, int B)[] Stops = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)];

    private static string Colour(double t)
    {
        t = Math.Clamp(double.IsNaN(t) ? 1 : t, 0, 1) * (Stops.Length - 1);
        var i = Math.Min((int)t, Stops.Length - 2);
        var f = t - i;
        int Mix(int a, int b) => (int)Math.Round(a + (b - a) * f);
        return $"#{Mix(Stops[i].R, Stops[i + 1].R):x2}{Mix(Stops[i].G, Stops[i + 1].G):x2}{Mix(Stops[i].B, Stops[i + 1].B):x2}";
    }
}
