using System.Globalization;

namespace Hub.Bench.Measuring;

/// <summary>Resident memory of server processes, from <c>/proc/&lt;pid&gt;/status</c> (VmRSS, in KiB).</summary>
public static class ProcessMemory
{
    /// <summary>The summed RSS in bytes of every PID (nginx: master and workers).</summary>
    public static long RssBytes(IReadOnlyList<int> pids)
    {
        ArgumentNullException.ThrowIfNull(pids);
        long total = 0;
        foreach (var pid in pids)
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    continue;
                var kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
                total += long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
                break;
            }
        }
        return total;
    }
}
