using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Hub.Api.Security;

/// <summary>
/// The keys a hub verifies tokens with, and for each key only the algorithms of its own family. Tying
/// algorithms to keys is what defeats algorithm confusion: an RSA-configured hub never runs HMAC, so a
/// token "signed" with the public key as an HMAC secret fails; <c>alg: none</c> is never in any list.
/// </summary>
public static class SigningKeys
{
    private static readonly string[] HmacAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.HmacSha384, SecurityAlgorithms.HmacSha512];

    private static readonly string[] RsaAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
    ];

    private static readonly string[] EcdsaAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512];

    /// <summary>The configured keys and the algorithms they may sign with (both empty when none is configured).</summary>
    public static (IReadOnlyList<SecurityKey> Keys, IReadOnlyList<string> Algorithms) From(AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = new List<SecurityKey>();
        var algorithms = new List<string>();
        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            keys.Add(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.SigningKey)));
            algorithms.AddRange(HmacAlgorithms);
        }
        if (!string.IsNullOrWhiteSpace(options.PublicKeyPem) && TryLoadPublicKey(options.PublicKeyPem, out var key, out _))
        {
            keys.Add(key!);
            algorithms.AddRange(key is RsaSecurityKey ? RsaAlgorithms : EcdsaAlgorithms);
        }
        return (keys, algorithms);
    }

    /// <summary>Loads an RSA or ECDSA public key from PEM text or from the PEM file the value names.</summary>
    public static bool TryLoadPublicKey(string pemOrPath, out SecurityKey? key, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(pemOrPath);
        key = null;
        problem = null;
        string pem;
        if (pemOrPath.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            pem = pemOrPath;
        }
        else
        {
            try
            {
                pem = File.ReadAllText(pemOrPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                problem = $"it is neither PEM text nor a readable PEM file ({ex.Message}).";
                return false;
            }
        }
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            problem = "it holds a private key; give the hub only the public key.";
            return false;
        }
        key = TryImport(RSA.Create(), pem, rsa => new RsaSecurityKey(rsa)) ?? TryImport(ECDsa.Create(), pem, ecdsa => new ECDsaSecurityKey(ecdsa));
        if (key is null)
            problem = "it is not an RSA or ECDSA public key in PEM form (-----BEGIN PUBLIC KEY-----).";
        return key is not null;
    }

    private static SecurityKey? TryImport<T>(T algorithm, string pem, Func<T, SecurityKey> toKey)
        where T : AsymmetricAlgorithm
    {
        try
        {
            algorithm.ImportFromPem(pem);
            return toKey(algorithm);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            algorithm.Dispose();
            return null;
        }
    }
}
