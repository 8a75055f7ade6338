using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Token;

/// <summary>
/// Mints hub tokens: a JWT whose <c>hub</c> claim grants topics,
/// <c>{"hub":{"publish":[...],"subscribe":[...]}}</c>, signed with an HMAC key (HS256) or an RSA/ECDSA
/// private key (RS256/ES256).
/// </summary>
public static class TokenMinter
{
    public static string Create(TokenSpec spec, SigningCredentials credentials, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(credentials);
        var claims = new Dictionary<string, object>
        {
            ["hub"] = new Dictionary<string, object>
            {
                ["publish"] = spec.Publish.ToArray(),
                ["subscribe"] = spec.Subscribe.ToArray(),
            },
        };
        if (!string.IsNullOrEmpty(spec.Subject))
            claims["sub"] = spec.Subject;
        var descriptor = new SecurityTokenDescriptor
        {
            Claims = claims,
            Issuer = spec.Issuer,
            Audience = spec.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = spec.NotBefore?.UtcDateTime,
            Expires = spec.Lifetime is { } lifetime ? (now + lifetime).UtcDateTime : null,
            SigningCredentials = credentials,
        };
        // Without this the handler adds exp = now + 1 h to a token meant to have none.
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(descriptor);
    }

    /// <summary>HS256 with the key's UTF-8 bytes, as <c>Hub:Auth:SigningKey</c> reads it.</summary>
    public static SigningCredentials Hmac(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256);
    }

    /// <summary>RS256 for an RSA private key, ES256/384/512 (by curve) for an ECDSA one, from PEM text.</summary>
    public static SigningCredentials FromPrivateKeyPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (TryEcdsa(pem) is { } ecdsa)
        {
            var algorithm = ecdsa.KeySize switch
            {
                <= 256 => SecurityAlgorithms.EcdsaSha256,
                <= 384 => SecurityAlgorithms.EcdsaSha384,
                _ => SecurityAlgorithms.EcdsaSha512,
            };
            return new SigningCredentials(new ECDsaSecurityKey(ecdsa), algorithm);
        }
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256);
    }

    private static ECDsa? TryEcdsa(string pem)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(pem);
            return ecdsa;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            ecdsa.Dispose();
            return null;
        }
    }
}
