using System.Reflection;
using System.Reflection.PortableExecutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace VersionStore.Docs.Tests;

/// <summary>Compiles a <see cref="Snippet"/> as a console program with Roslyn against the packages this test project references.</summary>
public static class SnippetCompiler
{
    /// <summary>The implicit usings of a console project (<c>ImplicitUsings=enable</c>).</summary>
    private static readonly string[] ConsoleUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    /// <summary>The implicit usings an ASP.NET Core project adds (<c>Microsoft.NET.Sdk.Web</c>).</summary>
    private static readonly string[] WebUsings =
        ["System.Net.Http.Json", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing",
         "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging"];

    /// <summary>
    /// What a fragment may assume, by the name its marker gives (<c>prelude: NAME</c>): extra implicit usings and the
    /// statements that declare the variables it uses. Each says in one line what the README's reader already has.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string[] Usings, string Statements)> Preludes = new Dictionary<string, (string[], string)>
    {
        // an ASP.NET Core project (web SDK usings), its Program.cs written by the snippet
        ["web"] = (WebUsings, ""),
        // an ASP.NET Core Program.cs after `var builder = WebApplication.CreateBuilder(args);`
        ["web-builder"] = (WebUsings, "var builder = WebApplication.CreateBuilder(args);"),
        // a repository of an in-memory store, with the versions a README fragment names
        ["repo"] = (["VersionStore"], """
            var store = RepositoryStore.CreateInMemory();
            var repo = store.GetRepository("support-bot");
            await repo.CommitAsync("main", new SnapshotChanges().Put("nodes/llm", "{}"), new CommitOptions { Author = "ana", Message = "v1.2.0" });
            await repo.CreateTagAsync("v1.2.0", "main");
            """),
    };

    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(LoadReferences);

    /// <summary>The assembled source: usings of the snippet, then the prelude's statements, then the rest.</summary>
    public static string Source(Snippet snippet)
    {
        var lines = snippet.Code.Split('\n');
        var usings = lines.TakeWhile(l => IsUsingDirective(l) || string.IsNullOrWhiteSpace(l)).Count();
        var prelude = snippet.Prelude is null ? "" : Prelude(snippet).Statements;
        return string.Join('\n', [.. lines.Take(usings), prelude, $"#line {snippet.Line + 1 + usings} \"{snippet.File}\"", .. lines.Skip(usings)]);
    }

    private static (string[] Usings, string Statements) Prelude(Snippet snippet)
        => Preludes.TryGetValue(snippet.Prelude!, out var p) ? p
            : throw new InvalidDataException($"{snippet}: unknown prelude '{snippet.Prelude}' (known: {string.Join(", ", Preludes.Keys)})");

    private static bool IsUsingDirective(string line)
    {
        var t = line.Trim();
        return t.StartsWith("using ", StringComparison.Ordinal) && t.EndsWith(';') && !t.Contains('(') && !t.StartsWith("using var ", StringComparison.Ordinal);
    }

    /// <summary>Compiles <paramref name="snippet"/>; returns the assembly bytes, or throws with every diagnostic (errors and warnings) as its message.</summary>
    public static byte[] Compile(Snippet snippet)
    {
        string[] usings = [.. ConsoleUsings, .. snippet.Prelude is null ? [] : Prelude(snippet).Usings];
        var parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);
        var globalUsings = CSharpSyntaxTree.ParseText(string.Concat(usings.Select(u => $"global using global::{u};\n")), parse, "GlobalUsings.g.cs");
        var tree = CSharpSyntaxTree.ParseText(Source(snippet), parse, snippet.File);
        var compilation = CSharpCompilation.Create("Snippet_" + Guid.NewGuid().ToString("N"), [globalUsings, tree], References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable,
                // a snippet is not a library: missing XML docs and unused usings are not its problems
                specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic> { ["CS1701"] = ReportDiagnostic.Suppress, ["CS1702"] = ReportDiagnostic.Suppress, ["CS8019"] = ReportDiagnostic.Suppress }));
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        var problems = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (!result.Success || problems.Count > 0)
            throw new SnippetException($"{snippet} does not compile cleanly:\n" + string.Join('\n', problems.Select(d => d.ToString())));
        return output.ToArray();
    }

    /// <summary>Runs a compiled snippet's entry point in <paramref name="workingDirectory"/>; returns what it wrote to the console.</summary>
    public static async Task<string> RunAsync(byte[] assembly, string workingDirectory, TimeSpan timeout)
    {
        var entry = Assembly.Load(assembly).EntryPoint ?? throw new SnippetException("no entry point");
        var previousDirectory = Environment.CurrentDirectory;
        var previousOut = Console.Out;
        using var captured = new StringWriter();
        Environment.CurrentDirectory = workingDirectory;
        Console.SetOut(captured);
        try
        {
            var run = Task.Run(async () =>
            {
                var result = entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
                if (result is Task task) await task;
            });
            await run.WaitAsync(timeout);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new SnippetException($"the snippet threw {e.InnerException.GetType().Name}: {e.InnerException.Message}\n{captured}", e.InnerException);
        }
        finally
        {
            Console.SetOut(previousOut);
            Environment.CurrentDirectory = previousDirectory;
        }
        return captured.ToString();
    }

    private static IReadOnlyList<MetadataReference> LoadReferences()
    {
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var path in trusted.Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll")))
        {
            var name = Path.GetFileName(path);
            if (paths.ContainsKey(name) || name.StartsWith("VersionStore.Docs.Tests", StringComparison.Ordinal) || !IsManaged(path)) continue;
            paths[name] = path;
        }
        return [.. paths.Values.Select(p => MetadataReference.CreateFromFile(p))];
    }

    private static bool IsManaged(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            return pe.HasMetadata;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}

/// <summary>A snippet that does not compile or does not run.</summary>
public sealed class SnippetException(string message, Exception? inner = null) : Exception(message, inner);
