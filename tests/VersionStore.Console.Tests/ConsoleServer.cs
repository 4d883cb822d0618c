using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using VersionStore.Conformance;

namespace VersionStore.Console.Tests;

/// <summary>
/// The real sample server (samples/VersionStore.Server) as a child process on 127.0.0.1 with a free port, over a temp
/// RocksDB store seeded from the real history "ivytechnx-bnk-03-customer-inquiry": five Dify versions tagged v1.0.0–v1.4.0
/// (one entry per node), prod published at v1.0.0 (last-known-good), then at v1.4.0. Keys: ana (admin), piet (publisher), vera (viewer).
/// </summary>
public sealed partial class ConsoleServer : IAsyncDisposable
{
    public const string Workflow = "bank-inquiry";
    public const string AnaKey = "ana-admin-key-5b1c";
    public const string PietKey = "piet-publisher-key-77e0";
    public const string VeraKey = "vera-viewer-key-c3a9";

    private readonly Process _process;
    private readonly string _folder;

    private ConsoleServer(Process process, string folder, Uri baseAddress)
    {
        _process = process;
        _folder = folder;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Where screenshots go: VSTORE_CONSOLE_SCREENSHOTS (docs/console when regenerating them), else a temp folder.</summary>
    public static string ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("VSTORE_CONSOLE_SCREENSHOTS") is { Length: > 0 } dir
        ? Directory.CreateDirectory(dir).FullName
        : Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "vstore-console-screenshots")).FullName;

    public static async Task<ConsoleServer> StartAsync()
    {
        var dll = ServerAssembly();
        var folder = Directory.CreateTempSubdirectory("vstore-console-").FullName;
        var seed = string.Join(',', TestData.HistoryVersions("ivytechnx-bnk-03-customer-inquiry"));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])[dll, "--urls", "http://127.0.0.1:0", "--store", Path.Combine(folder, "db"), "--seed", seed, "--seed-workflow", Workflow, "--seed-prod", "v1.4.0"])
            start.ArgumentList.Add(a);
        start.Environment.Remove("VSTORE_API_TOKEN");
        var keys = new[] { ("ana", AnaKey, "admin"), ("piet", PietKey, "publisher"), ("vera", VeraKey, "viewer") };
        for (var i = 0; i < keys.Length; i++)
        {
            start.Environment[$"VersionStore__Api__Keys__{i}__Name"] = keys[i].Item1;
            start.Environment[$"VersionStore__Api__Keys__{i}__Key"] = keys[i].Item2;
            start.Environment[$"VersionStore__Api__Keys__{i}__Role"] = keys[i].Item3;
        }
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the sample server");
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            output.Enqueue(e.Data);
            if (ListeningOn().Match(e.Data) is { Success: true } m) listening.TrySetResult(new Uri(m.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(90)));
        if (first != listening.Task)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The sample server did not start ({dll}):\n" + string.Join('\n', output));
        }
        return new ConsoleServer(process, folder, await listening.Task);
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();

    /// <summary>The server's build output beside this test's (same configuration; also under VSTORE_ARTIFACTS).</summary>
    private static string ServerAssembly()
    {
        var here = AppContext.BaseDirectory.Replace('\\', '/');
        var candidates = new[]
        {
            here.Replace("/tests/VersionStore.Console.Tests/", "/samples/VersionStore.Server/", StringComparison.Ordinal),
            here.Replace("/VersionStore.Console.Tests/", "/VersionStore.Server/", StringComparison.Ordinal),
        };
        foreach (var dir in candidates)
        {
            var dll = Path.Combine(dir, "VersionStore.Server.dll");
            if (File.Exists(dll)) return dll;
        }
        throw new FileNotFoundException("VersionStore.Server.dll was not built beside the tests; looked in " + string.Join(", ", candidates));
    }

    public HttpClient Client(string key)
    {
        var c = new HttpClient { BaseAddress = BaseAddress };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return c;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Debian's Chromium (/usr/bin/chromium), headless, driven by Playwright; a fresh profile per browser. Missing Chromium fails.</summary>
public sealed class Browser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;
    private readonly List<(IBrowserContext Context, string Profile)> _contexts = [];

    private Browser(IPlaywright playwright) => _playwright = playwright;

    /// <summary>What the pages wrote to their console and their uncaught errors (printed by the tests).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Log { get; } = new();

    public static async Task<Browser> StartAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium (build/test.sh does).");
        return new Browser(await Playwright.CreateAsync());
    }

    /// <summary>A new browser (its own process and fresh profile) with one page.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var profile = Directory.CreateTempSubdirectory("vstore-chromium-").FullName;
        var context = await _playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        _contexts.Add((context, profile));
        context.SetDefaultTimeout(15_000);
        var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
        page.Console += (_, m) => Log.Enqueue($"console.{m.Type}: {m.Text}");
        page.PageError += (_, e) => Log.Enqueue($"page error: {e}");
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (context, profile) in _contexts)
        {
            await context.CloseAsync();
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
            }
        }
        _playwright.Dispose();
    }
}
