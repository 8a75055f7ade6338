using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Hub.Grains.Hosting;

/// <summary>Binds an options class to its configuration section and validates it when the host starts.</summary>
public static class OptionsRegistration
{
    public static IServiceCollection AddHubOptions<TOptions>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
    {
        services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }

    /// <summary>Reads options for use while the host is still being built (before DI exists).</summary>
    public static TOptions ReadHubOptions<TOptions>(this IConfiguration configuration, string section)
        where TOptions : class, new()
    {
        var options = configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        var context = new System.ComponentModel.DataAnnotations.ValidationContext(options);
        System.ComponentModel.DataAnnotations.Validator.ValidateObject(options, context, validateAllProperties: true);
        return options;
    }
}
