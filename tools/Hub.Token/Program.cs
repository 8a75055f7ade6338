using Hub.Token;

var arguments = TokenArguments.Parse(args);
if (arguments.Problem is not null)
{
    if (arguments.Problem.Length > 0)
        Console.Error.WriteLine(arguments.Problem);
    Console.Error.WriteLine(TokenArguments.Usage);
    return arguments.Problem.Length > 0 ? 2 : 0;
}

var credentials = arguments.Key is not null
    ? TokenMinter.Hmac(arguments.Key)
    : TokenMinter.FromPrivateKeyPem(File.ReadAllText(arguments.PrivateKeyFile!));
Console.WriteLine(TokenMinter.Create(arguments.Spec, credentials, DateTimeOffset.UtcNow));
return 0;
