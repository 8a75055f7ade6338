namespace Hub.Grains.EventLog;

/// <summary>Checks shared by the event logs' idempotent appends.</summary>
internal static class AppendClaims
{
    /// <summary>Claims must split the drafts exactly, in order: each draft belongs to one publish.</summary>
    public static void CheckCover(IReadOnlyList<AppendClaim> claims, int draftCount)
    {
        var total = 0;
        foreach (var claim in claims)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(claim.Count, nameof(claims));
            total += claim.Count;
        }
        if (total != draftCount)
            throw new ArgumentException($"The claims cover {total} drafts, the append has {draftCount}.", nameof(claims));
    }
}
