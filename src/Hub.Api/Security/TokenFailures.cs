using Microsoft.IdentityModel.Tokens;

namespace Hub.Api.Security;

/// <summary>Why a token was refused, in words a client can act on (the hub's own endpoints and Mercure's alike).</summary>
public static class TokenFailures
{
    public static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenNotYetValidException => "The token is not valid yet (its nbf lies in the future).",
        SecurityTokenNoExpirationException => "The token has no exp claim, which this hub requires.",
        SecurityTokenInvalidAlgorithmException => "The token's signing algorithm is not one this hub accepts for its keys.",
        SecurityTokenInvalidIssuerException => "The token's issuer (iss) is not the one this hub accepts.",
        SecurityTokenInvalidAudienceException => "The token's audience (aud) does not include this hub.",
        SecurityTokenInvalidSignatureException => "The token's signature is not valid for any key this hub trusts.",
        _ => "The token is not valid: malformed, unsigned, or not signed with a key this hub trusts.",
    };
}
