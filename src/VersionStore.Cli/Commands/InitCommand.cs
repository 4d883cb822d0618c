using System.CommandLine;

namespace VersionStore.Cli.Commands;

/// <summary><c>vstore init</c>: creates the store.</summary>
internal static class InitCommand
{
    public static Command Create(CliContext cli)
    {
        var command = new Command("init", "Create the store (an embedded RocksDB database) if it does not exist yet.");
        cli.SetAction(command, (parseResult, output, _) =>
        {
            var path = StoreLocator.Resolve(parseResult.GetValue(cli.StoreOption), cli.Environment.GetVariable, cli.Environment.CurrentDirectory);
            var existed = StoreLocator.Exists(path);
            using (RocksDbBackend.Open(new RocksDbBackendOptions { Path = path, CreateIfMissing = true }))
            {
                // Opening creates the database and stamps its layout version.
            }
            if (output.Json) output.WriteJson(new InitJson(path, !existed), CliJson.Default.InitJson);
            else output.Line(existed ? $"Store already exists at {path}" : $"Initialized empty store at {path}");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
