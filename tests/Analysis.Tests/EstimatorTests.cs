using SweepCluster.Training;
using SweepCluster.Analysis;
using SweepCluster.Protocol;
using static SweepCluster.Analysis.Tests.Rows;

namespace SweepCluster.Analysis.Tests;

public sealed class EstimatorTests
{
    private static readonly AnalysisSettings Defaults = new();

    private static GroupEstimate Single(IEnumerable<ResultRecord> rows, AnalysisSettings? settings = null) =>
        Assert.Single(Estimator.Estimate(rows.ToList(), settings ?? Defaults));

    [Fact]
    public void Groups_are_ordered_by_variant_then_by_axis_values_as_numbers()
    {
        // The order comes from the rows' experiment and axis values, not from the text of the group key.
        (string Experiment, int Width, double Lr)[] groups = [("fc", 10, 0.05), ("cnn", 3, 0.1), ("cnn", 3, 1e-5), ("fc", 3, 0.05), ("cnn", 10, 0.01)];
        var rows = groups.Select(g => Row(1, 0, 1e-9, width: g.Width, lr: g.Lr, experiment: g.Experiment,
            group: g.Experiment == "fc" ? $"fc width={g.Width}" : $"cnn width={g.Width} learning_rate={g.Lr:G6}")).ToList();
        var estimates = Estimator.Estimate(rows, Defaults);
        Assert.Equal(
            ["cnn width=3 learning_rate=1E-05", "cnn width=3 learning_rate=0.1", "cnn width=10 learning_rate=0.01", "fc width=3", "fc width=10"],
            estimates.Select(e => e.Group));
    }

    [Fact]
    public void Smallest_n_from_which_the_target_is_recovered()
    {
        var e = Single(Seeds(1, 4, 0).Concat(Seeds(2, 4, 1)).Concat(Seeds(3, 4, 3)).Concat(Seeds(4, 4, 4)));
        Assert.Equal(3, e.EmpiricalSize);
        Assert.Equal([false, false, true, true], e.Rows.Select(r => r.Recovered));
        Assert.Equal([0, 0.25, 0.75, 1], e.Rows.Select(r => r.SuccessRate));
    }

    [Fact]
    public void A_recovery_that_is_lost_again_at_a_larger_n_does_not_count()
    {
        var e = Single(Seeds(1, 2, 2).Concat(Seeds(2, 2, 0)).Concat(Seeds(3, 2, 2)).Concat(Seeds(4, 2, 2)));
        Assert.Equal(3, e.EmpiricalSize);

        var lostAtTheEnd = Single(Seeds(1, 2, 2).Concat(Seeds(2, 2, 2)).Concat(Seeds(3, 2, 0)));
        Assert.Null(lostAtTheEnd.EmpiricalSize);
    }

    [Fact]
    public void Quorum_is_a_fraction_of_the_seeds()
    {
        var rows = Seeds(5, 4, 2).ToList();
        Assert.Equal(5, Single(rows).EmpiricalSize);
        Assert.Null(Single(rows, new AnalysisSettings(Quorum: 0.75)).EmpiricalSize);
        Assert.Equal(5, Single(rows, new AnalysisSettings(Quorum: 0.5)).EmpiricalSize);
    }

    [Fact]
    public void Threshold_decides_what_recovers()
    {
        var rows = new[] { Row(2, 0, 1e-7), Row(2, 1, 1e-7) };
        Assert.Equal(2, Single(rows).EmpiricalSize);
        Assert.Null(Single(rows, new AnalysisSettings(Threshold: 1e-8)).EmpiricalSize);
    }

    [Fact]
    public void Trials_that_are_not_ok_are_failed_seeds_whatever_their_error()
    {
        // One real success and two diverged seeds that report a tiny error must not reach a quorum of one half.
        var rows = new[]
        {
            Row(3, 0, 1e-12), Row(3, 1, 0, status: TrialStatus.Diverged), Row(3, 2, 1e-12, status: TrialStatus.Timeout),
        };
        var e = Single(rows);
        Assert.Null(e.EmpiricalSize);
        Assert.Equal(1.0 / 3, e.Rows[0].SuccessRate, 12);
        Assert.Equal(2, e.FailedTrials);
        Assert.Equal(double.PositiveInfinity, e.Rows[0].MedianTestError);
    }

    [Fact]
    public void Best_setting_has_the_highest_success_rate_then_the_lowest_median_error()
    {
        var rows = new List<ResultRecord>
        {
            // init 1e-1: lower median error, but only one seed of three recovers.
            Row(4, 0, 1e-11, init: 1e-1), Row(4, 1, 1e-5, init: 1e-1), Row(4, 2, 1e-5, init: 1e-1),
            // init 1e-3: two of three recover.
            Row(4, 0, 1e-9, init: 1e-3), Row(4, 1, 1e-9, init: 1e-3), Row(4, 2, 1.0, init: 1e-3),
            // init 1e-5: two of three recover too, with a smaller median: wins the tie.
            Row(4, 0, 1e-12, init: 1e-5), Row(4, 1, 1e-12, init: 1e-5), Row(4, 2, 1.0, init: 1e-5),
        };
        var row = Single(rows).Rows.Single();
        Assert.Equal(1e-5, row.BestSetting[GridAxes.InitScale]);
        Assert.Equal(1e-12, row.MedianTestError);
        Assert.Equal(3, row.Seeds);
    }

    [Fact]
    public void Median_over_an_even_number_of_seeds_is_the_mean_of_the_middle_two()
    {
        var row = Single([Row(1, 0, 1), Row(1, 1, 2), Row(1, 2, 4), Row(1, 3, 100)]).Rows.Single();
        Assert.Equal(3, row.MedianTestError);
    }

    [Fact]
    public void Unobserved_error_is_used_when_asked()
    {
        // Matrix completion: training entries fit perfectly lower the all-entry error, not the unobserved one.
        var rows = new[] { Row(6, 0, 1e-9, unobserved: 1e-3), Row(6, 1, 1e-9, unobserved: 1e-3) };
        Assert.Equal(6, Single(rows).EmpiricalSize);
        Assert.Null(Single(rows, new AnalysisSettings(UseUnobservedError: true)).EmpiricalSize);
    }

    [Fact]
    public void Groups_are_estimated_apart_with_theory_parameter_count_and_ratios()
    {
        var rows = Seeds(1, 2, 0, group: "a").Concat(Seeds(2, 2, 2, group: "a")).Concat(Seeds(3, 2, 2, group: "a"))
            .Concat(Seeds(1, 2, 0, group: "b")).Concat(Seeds(2, 2, 0, group: "b")).Concat(Seeds(3, 2, 2, group: "b"))
            .ToList();
        var estimates = Estimator.Estimate(rows, Defaults);
        Assert.Equal(["a", "b"], estimates.Select(e => e.Group));
        Assert.Equal([2, 3], estimates.Select(e => e.EmpiricalSize));
        Assert.All(estimates, e => Assert.Equal(2, e.TheoreticalSize));
        Assert.All(estimates, e => Assert.Equal(4, e.ParamCount));
        Assert.Equal(1.0, estimates[0].EmpiricalOverTheoretical);
        Assert.Equal(0.75, estimates[1].EmpiricalOverParams);
        Assert.Equal(0.5, estimates[1].TheoreticalOverParams);
    }

    [Fact]
    public void Parameter_count_is_the_largest_model_of_the_group()
    {
        var e = Single([Row(1, 0, 1, width: 2, paramCount: 10), Row(1, 0, 1, width: 8, paramCount: 40)]);
        Assert.Equal(40, e.ParamCount);
        Assert.Null(e.EmpiricalOverParams);
    }
}
