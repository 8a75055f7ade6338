using Hub.Bench.Scenarios;
using Xunit;

namespace Hub.Tests.Bench;

/// <summary>The benchmark's saturation ramp: the step it reports is one the subscribers kept up with.</summary>
public class SaturationRampTests
{
    private static RampStep Step(double published, double deliveries, double p99Ms, bool drained = true) =>
        new(published, published, deliveries, p99Ms / 2, p99Ms, p99Ms, 0, drained);

    [Fact]
    public void AStepPastTheLatencyBound_EndsTheRamp_AndIsNeverTheBest()
    {
        // The seventh pass's hub run: the last step delivered the most, at a p99 of 801 ms.
        var ramp = new SaturationRamp(maxP99Ms: 500, TimeSpan.FromSeconds(10));
        Assert.True(ramp.Add(Step(433.8, 429_465, 369.7)));
        Assert.True(ramp.Add(Step(645.9, 639_386, 428)));
        Assert.False(ramp.Add(Step(767.7, 731_279, 800.8)));

        Assert.Equal(639_386, ramp.Best!.DeliveriesPerSecond);
        Assert.Equal("Stopped: p99 801 ms exceeded 500 ms.", ramp.Stopped);
    }

    [Fact]
    public void AStepThatDidNotDrain_EndsTheRamp_AndIsNeverTheBest()
    {
        var ramp = new SaturationRamp(maxP99Ms: 500, TimeSpan.FromSeconds(10));
        Assert.True(ramp.Add(Step(100, 100_000, 20)));
        Assert.False(ramp.Add(Step(200, 190_000, 30, drained: false)));

        Assert.Equal(100_000, ramp.Best!.DeliveriesPerSecond);
        Assert.StartsWith("Stopped: subscribers fell behind", ramp.Stopped, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoStepsWithoutFivePercentMore_EndTheRamp_AtTheStepBeforeThem()
    {
        var ramp = new SaturationRamp(maxP99Ms: 500, TimeSpan.FromSeconds(10));
        Assert.True(ramp.Add(Step(100, 100_000, 20)));
        Assert.True(ramp.Add(Step(150, 104_000, 25)));
        Assert.False(ramp.Add(Step(225, 104_500, 30)));

        Assert.Equal(100_000, ramp.Best!.DeliveriesPerSecond);
        Assert.Equal("Stopped: deliveries/s did not grow by 5 % for two steps after 100 ev/s.", ramp.Stopped);
    }

    [Fact]
    public void AStepThatGrowsAgain_BecomesTheBest_AndTheRampGoesOn()
    {
        var ramp = new SaturationRamp(maxP99Ms: 500, TimeSpan.FromSeconds(10));
        Assert.True(ramp.Add(Step(100, 100_000, 20)));
        Assert.True(ramp.Add(Step(150, 103_000, 25)));
        Assert.True(ramp.Add(Step(225, 150_000, 30)));
        Assert.True(ramp.Add(Step(340, 151_000, 35)));

        Assert.Equal(150_000, ramp.Best!.DeliveriesPerSecond);
        Assert.Null(ramp.Stopped);
    }

    [Fact]
    public void AStoppedRamp_TakesNoMoreSteps()
    {
        var ramp = new SaturationRamp(maxP99Ms: 500, TimeSpan.FromSeconds(10));
        Assert.False(ramp.Add(Step(100, 100_000, 900)));

        Assert.Null(ramp.Best);
        Assert.Throws<InvalidOperationException>(() => ramp.Add(Step(150, 150_000, 20)));
    }
}
