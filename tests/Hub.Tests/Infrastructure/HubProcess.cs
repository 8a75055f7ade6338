using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// A real Hub process (Hub.Api or Hub.Silo) started from the built binaries with the same
/// configuration keys an operator or docker-compose.yml uses, on loopback ports. Stopped by its PID:
/// SIGTERM for a graceful stop, SIGKILL for a crash.
/// </summary>
public sealed class HubProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HubProcess(string project, Process process, Uri address, IReadOnlyDictionary<string, string> environment)
    {
        Project = project;
        Environment = environment;
        _process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Project { get; }

    public Uri Address { get; }

    /// <summary>The configuration the process was started with (its environment variables beyond the inherited ones).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    public HttpClient Client { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>What the process printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>Starts <paramref name="project"/> ("Hub.Api" or "Hub.Silo") with <paramref name="environment"/> as its configuration and waits until it is ready.</summary>
    /// <param name="urlsFromEnvironment">
    /// Give the listen address as <c>ASPNETCORE_URLS</c>, as the container images do, instead of <c>--urls</c>.
    /// </param>
    public static async Task<HubProcess> StartAsync(
        string project, IDictionary<string, string> environment, string readyPath = "health/ready", TimeSpan? timeout = null, bool urlsFromEnvironment = false)
    {
        var hub = Launch(project, environment, urlsFromEnvironment);
        try
        {
            await hub.WaitUntilAsync(readyPath, timeout ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
            // A process that never became ready must not outlive the test that started it.
            await hub.DisposeAsync();
            throw;
        }
        return hub;
    }

    /// <summary>Starts <paramref name="project"/> without waiting for anything: for tests that watch it come up.</summary>
    public static HubProcess Launch(string project, IDictionary<string, string> environment, bool urlsFromEnvironment = false)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var port = FreePort.Next();
        var url = $"http://127.0.0.1:{port}";
        string[] arguments = urlsFromEnvironment ? [RepoPaths.Program(project)] : [RepoPaths.Program(project), "--urls", url];
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(RepoPaths.Program(project))!,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        if (urlsFromEnvironment)
            start.Environment["ASPNETCORE_URLS"] = url;
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{project} did not start");
        return new HubProcess(project, process, new Uri($"http://127.0.0.1:{port}/"), new Dictionary<string, string>(environment));
    }

    /// <summary>Waits until GET <paramref name="path"/> answers 200.</summary>
    public async Task WaitUntilAsync(string path, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Project} exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await Client.GetAsync(path);
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{Project} was not ready within {timeout}:\n{Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>A crash: SIGKILL, no goodbye.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>A graceful stop: SIGTERM, then waits for the process to finish draining.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
            return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill!.WaitForExitAsync();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            await KillAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
        {
            if (_output.Length < 200_000)
                _output.AppendLine(line);
        }
    }
}
