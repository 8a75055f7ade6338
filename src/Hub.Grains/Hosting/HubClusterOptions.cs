using System.ComponentModel.DataAnnotations;

namespace Hub.Grains.Hosting;

/// <summary>
/// Where a silo listens and which cluster it joins (section <c>Hub:Cluster</c>). API nodes read
/// <see cref="ClusterId"/> and <see cref="ServiceId"/> too, to find the same cluster.
/// </summary>
public sealed class HubClusterOptions
{
    public const string Section = "Hub:Cluster";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port API nodes (Orleans clients) connect to. Default 30000.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address other silos and clients reach this silo at. Null means loopback, right for one
    /// machine; in a container set it to the container's address.
    /// </summary>
    public string? AdvertisedIP { get; set; }

    /// <summary>Names this deployment of the cluster. Default "hub".</summary>
    [Required]
    public string ClusterId { get; set; } = "hub";

    /// <summary>Names the service across deployments (keys of durable state). Default "hub".</summary>
    [Required]
    public string ServiceId { get; set; } = "hub";

    /// <summary>
    /// How long a silo waits for a probe answer before counting it missed. Orleans' default, 5 s with 3
    /// misses and 2 votes, leaves a dead silo's topics unwritable for 5–6 s; 1 s with 2 misses and 1 vote
    /// measured 0.8 s here. Default 1 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Missed probes before a silo suspects another. Default 2.</summary>
    [Range(1, 10)]
    public int MissedProbesLimit { get; set; } = 2;

    /// <summary>Suspicions needed to declare a silo dead. Default 1 (clusters of two silos need 1).</summary>
    [Range(1, 10)]
    public int VotesForDeath { get; set; } = 1;

    /// <summary>
    /// How long a grain call (an API node's publish or read, a silo's call to another grain) waits for
    /// its answer before it fails, and the publisher gets a 503; a topic grain also drops a publish that
    /// waited this long in its queue (its caller has given up). Orleans' default is 30 s, and a call
    /// that a gateway forwarded to a silo that then crashed waits all of it (dotnet/orleans#10165): with
    /// 5 s, a sequential publisher with a publish in flight at the crash saw no success for 5–6 s
    /// (FailoverWindowTests). Orleans notices a timed-out call up to about a second late, so with 2 s
    /// the window was 2.2–3.1 s; every hub grain call is a short one (long-polls wait on the API node, not
    /// in a grain), so 1.5 s keeps it under 3 s and is still ample. Default 1.5 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:05:00")]
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(1.5);

    internal void ApplyTo(Orleans.Configuration.ClusterMembershipOptions membership)
    {
        membership.ProbeTimeout = ProbeTimeout;
        membership.NumMissedProbesLimit = MissedProbesLimit;
        membership.NumVotesForDeathDeclaration = VotesForDeath;
    }
}
