using Hub.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddHub();

var app = builder.Build();
app.UseHub();
app.Run();

/// <summary>The entry point, named so tests can start the real app.</summary>
public partial class Program;
