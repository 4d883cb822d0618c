using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace VersionStore.Console.Tests;

/// <summary>The console in real headless Chromium against the real sample server: the rollback story and its companions.</summary>
public sealed class ConsoleTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ConsoleServer _server = null!;
    private Browser _browser = null!;

    public async Task InitializeAsync()
    {
        _server = await ConsoleServer.StartAsync();
        _browser = await Browser.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var line in _browser.Log) output.WriteLine(line);
        await _browser.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<IPage> SignedInAsync(string key, string? hash = null)
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(_server.BaseAddress + (hash ?? ""));
        await page.GetByRole(AriaRole.Textbox, new() { Name = "API key" }).FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        return page;
    }

    private async Task<string> VersionIdAsync(string tag)
    {
        using var client = _server.Client(ConsoleServer.VeraKey);
        var show = await client.GetFromJsonAsync<JsonElement>($"/v1/workflows/{ConsoleServer.Workflow}/versions/{tag}");
        return show.GetProperty("id").GetString()!;
    }

    private static ILocator Row(IPage page, string tag)
        => page.GetByRole(AriaRole.List, new() { Name = "Versions" }).GetByRole(AriaRole.Listitem).Filter(new() { HasText = tag });

    /// <summary>A tag or channel badge of a version's row (exact text: "prod", "prod last-known-good", "v1.2.0").</summary>
    private static ILocator Badge(IPage page, string tag, string badge) => Row(page, tag).GetByText(badge, new() { Exact = true });

    [Fact]
    public async Task Story_sign_in_open_history_roll_prod_back_with_a_reason_and_the_api_serves_it_audited_with_the_signed_in_actor()
    {
        var page = await _browser.NewPageAsync();
        long firstLoad = 0;
        var measuring = true;
        page.RequestFinished += async (_, request) =>
        {
            var sizes = await request.SizesAsync();
            if (measuring) Interlocked.Add(ref firstLoad, sizes.ResponseBodySize + sizes.ResponseHeadersSize);
        };
        await page.GotoAsync(_server.BaseAddress.ToString(), new() { WaitUntil = WaitUntilState.NetworkIdle });
        measuring = false;
        output.WriteLine($"page weight, first load (HTML, CSS, JS modules, config; headers + bodies): {Interlocked.Read(ref firstLoad)} bytes");
        Assert.InRange(Interlocked.Read(ref firstLoad), 1_000, 150_000);

        // 1. sign in
        await page.GetByRole(AriaRole.Textbox, new() { Name = "API key" }).FillAsync(ConsoleServer.AnaKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // 2. open the workflow
        await page.GetByRole(AriaRole.Link, new() { Name = ConsoleServer.Workflow }).ClickAsync();
        // 3. the history lists every version with its tag, channels and author
        var versions = page.GetByRole(AriaRole.List, new() { Name = "Versions" });
        await Expect(versions.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(5);
        for (var i = 0; i < 5; i++) await Expect(Row(page, $"v1.{i}.0")).ToContainTextAsync("by seed");
        await Expect(Badge(page, "v1.4.0", "prod")).ToBeVisibleAsync();
        await Expect(Badge(page, "v1.0.0", "prod last-known-good")).ToBeVisibleAsync();
        await Expect(Badge(page, "v1.2.0", "prod")).ToHaveCountAsync(0);
        await Expect(Row(page, "v1.2.0")).ToContainTextAsync((await VersionIdAsync("v1.2.0"))[..12]);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ConsoleServer.ScreenshotFolder, "timeline.png"), FullPage = true });

        // 4. roll back: the dialog names the channel, previews the node changes, asks for a reason and the channel's name
        await page.GetByRole(AriaRole.Button, new() { Name = "Roll back to v1.2.0" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("Roll back channel prod to v1.2.0");
        await Expect(dialog.GetByRole(AriaRole.List, new() { Name = "Changes" })).ToContainTextAsync("node 口座KB検索 (knowledge-retrieval)");
        await Expect(dialog.GetByRole(AriaRole.List, new() { Name = "Changes" })).ToContainTextAsync("data.dataset_ids[0]");
        var confirm = dialog.GetByRole(AriaRole.Button, new() { Name = "Confirm rollback" });
        const string reason = "p99 regression after v1.4.0: answers cite the wrong knowledge base";
        await dialog.GetByRole(AriaRole.Textbox, new() { Name = "Reason" }).FillAsync(reason);
        await Expect(confirm).ToBeDisabledAsync();   // the protected channel's name is not typed yet
        await dialog.GetByRole(AriaRole.Textbox, new() { Name = "Type prod to confirm" }).FillAsync("prod");
        await Expect(confirm).ToBeEnabledAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(ConsoleServer.ScreenshotFolder, "rollback-dialog.png") });
        await confirm.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Rolled back prod to v1.2.0 (v1.4.0 → v1.2.0");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("verification passed");
        await Expect(Badge(page, "v1.2.0", "prod")).ToBeVisibleAsync();

        // the API serves v1.2.0 on prod, and the audit holds the typed reason and the signed-in actor
        using var client = _server.Client(ConsoleServer.VeraKey);
        var served = await client.GetFromJsonAsync<JsonElement>($"/v1/workflows/{ConsoleServer.Workflow}/channels/prod");
        Assert.Equal(await VersionIdAsync("v1.2.0"), served.GetProperty("version").GetString());
        var audit = await client.GetFromJsonAsync<JsonElement>($"/v1/workflows/{ConsoleServer.Workflow}/audit?channel=prod&limit=1");
        Assert.Equal("rollback.reset", audit[0].GetProperty("operation").GetString());
        Assert.Equal(reason, audit[0].GetProperty("reason").GetString());
        Assert.Equal("ana", audit[0].GetProperty("actor").GetString());
    }

    [Fact]
    public async Task Compare_two_versions_shows_a_modified_node_parameter_side_by_side_and_the_deep_link_reproduces_it()
    {
        var page = await SignedInAsync(ConsoleServer.VeraKey, $"#/w/{ConsoleServer.Workflow}/compare/v1.1.0/v1.2.0");
        var table = page.GetByRole(AriaRole.Table, new() { Name = "Parameter changes of 口座対応LLM" });
        var row = table.GetByRole(AriaRole.Row).Filter(new() { HasText = "data.desc" });
        await Expect(row).ToContainTextAsync("ナレッジベースに基づき口座関連の問い合わせに回答する");      // before (v1.1.0)
        await Expect(row).ToContainTextAsync("口座関連の問い合わせにナレッジベース情報を基に回答する");    // after (v1.2.0)
        await Expect(table.GetByRole(AriaRole.Columnheader, new() { Name = "Before (v1.1.0)" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "v1.1.0 → v1.2.0" })).ToBeVisibleAsync();
        await table.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(ConsoleServer.ScreenshotFolder, "compare.png"), FullPage = false });

        // the same URL in a fresh browser, after signing in, shows the same view
        var url = page.Url;
        var again = await SignedInAsync(ConsoleServer.VeraKey, new Uri(url).Fragment);
        await Expect(again.GetByRole(AriaRole.Table, new() { Name = "Parameter changes of 口座対応LLM" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "data.desc" }))
            .ToContainTextAsync("口座関連の問い合わせにナレッジベース情報を基に回答する");

        // preview: the graph of a version, a node's parameters on selection
        await again.GotoAsync(_server.BaseAddress + $"#/w/{ConsoleServer.Workflow}/version/v1.2.0");
        await again.GetByRole(AriaRole.Button, new() { Name = "Node 口座対応LLM (llm)" }).ClickAsync();
        await Expect(again.GetByRole(AriaRole.Table, new() { Name = "Parameters of 口座対応LLM" })).ToContainTextAsync("data.model.provider");
    }

    [Fact]
    public async Task A_second_browser_sees_the_first_ones_rollback_live_without_reload()
    {
        var watcher = await SignedInAsync(ConsoleServer.VeraKey, $"#/w/{ConsoleServer.Workflow}");
        await Expect(Badge(watcher, "v1.4.0", "prod")).ToBeVisibleAsync();
        await Expect(Badge(watcher, "v1.3.0", "prod")).ToHaveCountAsync(0);
        var actor = await SignedInAsync(ConsoleServer.AnaKey, $"#/w/{ConsoleServer.Workflow}");
        await actor.GetByRole(AriaRole.Button, new() { Name = "Roll back to v1.3.0" }).ClickAsync();
        await actor.GetByRole(AriaRole.Textbox, new() { Name = "Reason" }).FillAsync("live test");
        await actor.GetByRole(AriaRole.Textbox, new() { Name = "Type prod to confirm" }).FillAsync("prod");
        await actor.GetByRole(AriaRole.Button, new() { Name = "Confirm rollback" }).ClickAsync();
        await Expect(actor.GetByRole(AriaRole.Status)).ToContainTextAsync("Rolled back prod to v1.3.0");
        var seen = Stopwatch.StartNew();
        await Expect(Badge(watcher, "v1.3.0", "prod")).ToBeVisibleAsync(new() { Timeout = 1_500 });
        output.WriteLine($"second browser showed the rollback {seen.ElapsedMilliseconds} ms after the first one's status announced it");
        await Expect(watcher.GetByRole(AriaRole.Log, new() { Name = "Live updates" })).ToContainTextAsync("prod moved to v1.3.0 by ana (rollback.reset): live test");

        // a move from outside the console (the API, as the CLI or the guard would) shows up too
        using var client = _server.Client(ConsoleServer.AnaKey);
        var publish = await client.PostAsync($"/v1/workflows/{ConsoleServer.Workflow}/channels/prod/publish",
            new StringContent("""{"version": "v1.4.0", "reason": "fixed"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        await Expect(Badge(watcher, "v1.4.0", "prod")).ToBeVisibleAsync(new() { Timeout = 1_500 });
    }

    [Fact]
    public async Task A_viewer_cannot_roll_back_prod_the_control_is_disabled_with_the_reason_and_the_api_answers_403()
    {
        var page = await SignedInAsync(ConsoleServer.VeraKey, $"#/w/{ConsoleServer.Workflow}");
        var button = page.GetByRole(AriaRole.Button, new() { Name = "Roll back to v1.2.0" });
        await Expect(button).ToBeDisabledAsync();
        await Expect(Row(page, "v1.2.0")).ToContainTextAsync("Viewers cannot move prod (you are viewer).");
        await Expect(button).ToHaveAccessibleDescriptionAsync("Viewers cannot move prod (you are viewer).");
        using var vera = _server.Client(ConsoleServer.VeraKey);
        var body = """{"target_version": "v1.2.0", "reason": "let me"}""";
        var denied = await vera.PostAsync($"/v1/workflows/{ConsoleServer.Workflow}/rollback", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        // a publisher may roll back the branch, not the protected channel
        var piet = await SignedInAsync(ConsoleServer.PietKey, $"#/w/{ConsoleServer.Workflow}");
        await Expect(piet.GetByRole(AriaRole.Button, new() { Name = "Roll back to v1.2.0" })).ToBeDisabledAsync();
        await Expect(Row(piet, "v1.2.0")).ToContainTextAsync("Only admins can move protected channel prod (you are publisher).");
        using var pietClient = _server.Client(ConsoleServer.PietKey);
        var forbidden = await pietClient.PostAsync($"/v1/workflows/{ConsoleServer.Workflow}/rollback", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("protected", await forbidden.Content.ReadAsStringAsync());
        await piet.GetByRole(AriaRole.Combobox, new() { Name = "Acting on" }).SelectOptionAsync("branch:main");
        await Expect(piet.GetByRole(AriaRole.Button, new() { Name = "Roll back to v1.2.0" })).ToBeEnabledAsync();

        using var ana = _server.Client(ConsoleServer.AnaKey);
        var served = await ana.GetFromJsonAsync<JsonElement>($"/v1/workflows/{ConsoleServer.Workflow}/channels/prod");
        Assert.Equal(await VersionIdAsync("v1.4.0"), served.GetProperty("version").GetString());
    }
}
