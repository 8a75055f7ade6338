namespace Hub.Api.Hosting;

/// <summary>Middleware that runs only for the requests it applies to; the others go straight on, paying nothing for it.</summary>
internal static class ConditionalMiddleware
{
    /// <summary>
    /// Runs the middleware that <paramref name="use"/> adds only for requests that <paramref name="applies"/>
    /// to. The marks the middleware leaves on the builder are carried to <paramref name="app"/>
    /// (<see cref="CarryMarks"/>).
    /// </summary>
    public static void UseOnlyFor(this IApplicationBuilder app, Func<HttpContext, bool> applies, Action<IApplicationBuilder> use)
    {
        var branch = app.CarryMarks(use);
        app.Use(next =>
        {
            branch.Run(next);
            var withMiddleware = branch.Build();
            return context => applies(context) ? withMiddleware(context) : next(context);
        });
    }

    /// <summary>
    /// Adds <paramref name="use"/>'s middleware to a new branch and copies the marks it leaves on that
    /// builder to <paramref name="app"/>. UseAuthentication and UseAuthorization mark the builder they are
    /// called on, and WebApplication adds its own at the very front of the pipeline (ahead of the stream
    /// branch) unless the app's builder carries that mark. A branch's marks stay in the branch (UseWhen
    /// would lose them), so carry them over.
    /// </summary>
    public static IApplicationBuilder CarryMarks(this IApplicationBuilder app, Action<IApplicationBuilder> use)
    {
        var branch = app.New();
        use(branch);
        foreach (var (key, value) in branch.Properties)
            app.Properties.TryAdd(key, value);
        return branch;
    }
}
