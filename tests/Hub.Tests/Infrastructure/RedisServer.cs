using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;
using Xunit;

namespace Hub.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> (from PATH) as a child process on a free loopback port, without persistence,
/// for one test collection: <c>[Collection(RedisCollection.Name)]</c> shares one server among classes, or
/// define another collection with <c>ICollectionFixture&lt;RedisServer&gt;</c> to get a server of its own.
/// <see cref="StopAsync"/> and <see cref="StartAsync"/> let a test take Redis away and bring it back on the
/// same port (empty: there is no persistence).
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly StringBuilder _output = new();
    private readonly string? _appendOnlyDirectory;
    private Process? _process;

    public RedisServer()
    {
    }

    private RedisServer(string appendOnlyDirectory) => _appendOnlyDirectory = appendOnlyDirectory;

    /// <summary>
    /// A server that persists like the compose file's Redis: an append-only file in <paramref name="directory"/>,
    /// fsynced every second. <see cref="StopAsync"/> kills it (SIGKILL) wherever it is in that second, and
    /// <see cref="StartAsync"/> brings it back from the file.
    /// </summary>
    public static RedisServer WithAppendOnlyFile(string directory) => new(directory);

    /// <summary>The port, fixed once the server first started.</summary>
    public int Port { get; private set; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Lines redis-server wrote, for failure messages.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public Task InitializeAsync() => StartAsync();

    public Task DisposeAsync() => StopAsync();

    /// <summary>Starts the server (on a new free port the first time, on the same port afterwards) and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        if (_process is not null)
            throw new InvalidOperationException("redis-server is already running.");
        // A free port can be taken between probing and binding: a fresh server may retry on another.
        var attempts = Port == 0 ? 3 : 1;
        for (var attempt = 1; ; attempt++)
        {
            if (Port == 0 || attempt > 1)
                Port = FreePort.Next();
            _process = Launch(Port);
            try
            {
                await WaitUntilAnsweringAsync(_process);
                return;
            }
            catch (Exception) when (attempt < attempts)
            {
                await StopAsync();
            }
        }
    }

    /// <summary>Kills the server by its PID (SIGKILL) and waits for it to exit. Its data is gone, but for what its append-only file kept.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
            return;
        _process = null;
        try
        {
            if (!process.HasExited)
                process.Kill();
            await process.WaitForExitAsync().WaitAsync(StartTimeout);
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>A new connection to this server that survives the server going away and reconnects when it is back.</summary>
    public Task<ConnectionMultiplexer> ConnectAsync()
    {
        var options = ConfigurationOptions.Parse(ConnectionString);
        options.AbortOnConnectFail = false;
        return ConnectionMultiplexer.ConnectAsync(options).WaitAsync(StartTimeout);
    }

    /// <summary>A connection to a loopback port where no Redis listens, with half-second timeouts: every command fails fast.</summary>
    public static Task<ConnectionMultiplexer> ConnectUnreachableAsync()
    {
        var options = ConfigurationOptions.Parse($"127.0.0.1:{FreePort.Next().ToString(CultureInfo.InvariantCulture)}");
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 500;
        options.AsyncTimeout = 500;
        options.SyncTimeout = 500;
        return ConnectionMultiplexer.ConnectAsync(options).WaitAsync(StartTimeout);
    }

    /// <summary>Empties every database, as a Redis that lost its data would be.</summary>
    public async Task FlushAllAsync()
    {
        var reply = await CommandAsync("FLUSHALL");
        if (reply != "+OK")
            throw new InvalidOperationException($"FLUSHALL answered {reply}");
    }

    /// <summary>
    /// Sends one command whose arguments contain no spaces (inline protocol) and returns the first line
    /// of the reply, e.g. <c>+PONG</c>, <c>:1</c> or <c>-ERR …</c>.
    /// </summary>
    public async Task<string> CommandAsync(string command)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"), timeout.Token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadLineAsync(timeout.Token) ?? throw new IOException($"Redis closed the connection after {command}");
    }

    private Process Launch(int port)
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Without persistence the working directory gets no files; still keep it out of the repository.
            WorkingDirectory = _appendOnlyDirectory ?? Path.GetTempPath(),
        };
        string[] persistence = _appendOnlyDirectory is null
            ? ["--save", "", "--appendonly", "no"]
            : ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", _appendOnlyDirectory];
        foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1" }.Concat(persistence))
            start.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not on PATH; scripts/test.sh installs it (apt-get install redis-server).", ex);
        }
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    private async Task WaitUntilAnsweringAsync(Process process)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"redis-server exited with {process.ExitCode} on port {Port}:\n{Output}");
            try
            {
                if (await CommandAsync("PING") == "+PONG")
                    return;
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
            {
                // Not listening yet.
            }
            if (deadline.Elapsed > StartTimeout)
                throw new TimeoutException($"redis-server on port {Port} did not answer PING within {StartTimeout.TotalSeconds} s:\n{Output}");
            // Polling a process for readiness: there is nothing to await but the port.
            await Task.Delay(25);
        }
    }
}

/// <summary>Test classes in this collection share one <see cref="RedisServer"/> and run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "Redis";
}
