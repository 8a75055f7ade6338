namespace Hub.Tests.Infrastructure;

/// <summary>Where the repository's built programs are, in the build configuration the tests run in.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>"Debug" or "Release": the configuration this test assembly was built in.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The built dll of a project under src/, e.g. <c>Program("Hub.Api")</c>.</summary>
    public static string Program(string project) =>
        Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", $"{project}.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hub.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Hub.sln not found above " + AppContext.BaseDirectory);
    }
}
