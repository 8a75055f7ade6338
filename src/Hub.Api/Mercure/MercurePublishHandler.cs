using Hub.Api.Diagnostics;
using Hub.Api.Http;
using Hub.Api.Security;
using Hub.Grains.Contracts;
using Hub.Grains.Publishing;
using Microsoft.Extensions.Options;

namespace Hub.Api.Mercure;

/// <summary>
/// <c>POST /.well-known/mercure</c>: checks the publisher's token, reads the form, stores the update
/// once in the Mercure update log and answers <c>200 text/plain</c> with the update's id, as Mercure
/// does (Symfony's <c>Hub::publish</c> returns that body as the id).
/// </summary>
public sealed partial class MercurePublishHandler(
    IGrainFactory grains,
    MercureTokens tokens,
    TopicSelectorCache selectors,
    MercureShards shards,
    IOptions<MercureOptions> options,
    IOptions<PublishOptions> publishOptions,
    IOptions<AuthOptions> authOptions,
    IHostEnvironment environment,
    HubMetrics metrics,
    ILogger<MercurePublishHandler> logger)
{
    private readonly MercureOptions _options = options.Value;
    private readonly int _maxDataBytes = publishOptions.Value.MaxDataBytes;
    private readonly bool _anonymous = authOptions.Value.AnonymousPublishAllowed(environment);
    private readonly HashSet<string> _origins = new(options.Value.Origins, StringComparer.OrdinalIgnoreCase);
    // Resolved on first use, not at construction: an API node's cluster client knows the grain types only once it has connected.
    private ITopicGrain? _log;

    public async Task<IResult> PublishAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (!MercurePublishRequest.IsForm(request))
            return Problems.UnsupportedMediaType("A Mercure publish is an application/x-www-form-urlencoded body: topic=…&data=….");
        var authentication = await tokens.AuthenticateAsync(request);
        if (authentication.Problem is { } invalid)
            return invalid;
        if (authentication.Source == MercureTokenSource.None && !_anonymous)
            return Unauthorized(context, "Publishing needs a token whose mercure.publish claim covers every topic of the update: send 'Authorization: Bearer <token>'.");
        if (authentication.Source == MercureTokenSource.Cookie && !FromPublishOrigin(request))
            return Problems.Forbidden("A publish authenticated by cookie must come from an origin on Hub:Mercure:PublishOrigins (its Origin or Referer header): a cookie rides along with any cross-site form post.");

        var form = await MercurePublishRequest.ReadAsync(request, _options, _maxDataBytes, context.RequestAborted);
        if (form is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large", detail: "The form has a field longer, or more fields, than an update may have.");
        var (update, problem) = MercurePublishRequest.Parse(form, _options);
        if (update is null)
            return Problems.BadRequest(problem!);
        if (authentication.Source != MercureTokenSource.None)
        {
            var granted = selectors.GetAll(authentication.Claims.Publish);
            if (update.Topics.FirstOrDefault(topic => !granted.Any(s => s.IsMatch(topic))) is { } denied)
            {
                LogDenied(logger, denied);
                return Problems.Forbidden($"The token's mercure.publish claim does not cover topic '{denied}'; every topic of an update must be covered.");
            }
        }

        var stored = update.Encode();
        var bytes = EventRules.StrictUtf8.GetByteCount(stored);
        if (bytes > _maxDataBytes)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large",
                detail: $"The update takes {bytes} bytes stored (data, topics and id together); at most {_maxDataBytes} are allowed (Hub:Publish:MaxDataBytes).");
        try
        {
            _log ??= grains.GetGrain<ITopicGrain>(MercureLog.Topic);
            await _log.PublishAsync(new EventDraft(MercureLog.EventType, stored, Channels: shards.ChannelsOf(update.Topics)));
        }
        catch (ArgumentException ex)
        {
            return Problems.BadRequest(ex.Message);
        }
        catch (Exception ex) when (Problems.IsTransientClusterFailure(ex))
        {
            LogUnavailable(logger, ex);
            return Problems.Unavailable(context, "The cluster could not take the update right now (a node is failing over). Retry shortly.");
        }
        metrics.Published(1);
        return TypedResults.Text(update.Id, "text/plain", statusCode: StatusCodes.Status200OK);
    }

    /// <summary>The request's Origin, or else its Referer's origin, is on the publish origins list.</summary>
    private bool FromPublishOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 && Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer))
            origin = referer.GetLeftPart(UriPartial.Authority);
        return origin.Length > 0 && _origins.Contains(origin);
    }

    private static IResult Unauthorized(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Unauthorized(detail);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a Mercure publish to {Topic}: not covered by the token's mercure.publish claim")]
    private static partial void LogDenied(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Mercure publish could not reach the update log; the publisher got a 503")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}
