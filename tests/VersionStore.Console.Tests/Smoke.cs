using Microsoft.Playwright;
namespace VersionStore.Console.Tests;
public sealed class Smoke
{
    [Fact]
    public async Task Launches()
    {
        using var pw = await Playwright.CreateAsync();
        await using var browser = await pw.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
        var page = await browser.NewPageAsync();
        await page.SetContentAsync("<button>Hi</button>");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hi" }).ClickAsync();
    }
}
