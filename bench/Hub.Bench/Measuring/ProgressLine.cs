using System.Diagnostics;

namespace Hub.Bench.Measuring;

/// <summary>
/// The progress display: one console line (stderr, so stdout stays the result) rewritten twice a second.
/// When stderr is a file or pipe, a plain line every five seconds instead, so logs stay readable.
/// </summary>
public sealed class ProgressLine : IAsyncDisposable
{
    private readonly Func<string> _status;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private string _phase;
    private int _lastLength;

    public ProgressLine(string phase, Func<string> status)
    {
        _phase = phase;
        _status = status;
        _loop = RunAsync();
    }

    public string Phase
    {
        set
        {
            _phase = value;
            Write();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        Write();
        if (_interactive)
            Console.Error.WriteLine();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_interactive ? 500 : 5000));
        while (await timer.WaitForNextTickAsync(_stop.Token))
            Write();
    }

    private void Write()
    {
        var line = $"[{_elapsed.Elapsed.TotalSeconds,6:F1}s] {_phase}: {_status()}";
        if (!_interactive)
        {
            Console.Error.WriteLine(line);
            return;
        }
        var padded = line.Length < _lastLength ? line.PadRight(_lastLength) : line;
        _lastLength = line.Length;
        Console.Error.Write("\r" + padded);
    }
}
