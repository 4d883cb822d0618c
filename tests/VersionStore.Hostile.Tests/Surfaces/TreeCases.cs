namespace VersionStore.Hostile.Tests.Surfaces;

/// <summary>
/// Directory trees with links, FIFOs, sockets, devices and odd names, committed with <c>vstore commit --from DIR</c>
/// and checked out over with <c>--force</c>: each gives its expected exit code, one error line, nothing written outside
/// the folder or into the store, within 10 s and 256 MiB.
/// </summary>
public sealed class TreeCases(ITestOutputHelper log) : IDisposable
{
    private readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>name, shell script building folder <c>t</c> (run in the store's parent), expected exit code of the commit.</summary>
    public static TheoryData<string, string, int> CommitCases => new()
    {
        { "plain files", "mkdir -p t/a/b && echo 1 > t/a/b/c && echo 2 > t/.hidden", 0 },
        { "empty folder", "mkdir -p t", 0 },
        { "link to a file outside", "mkdir t && echo secret > s && ln -s ../s t/l", 3 },
        { "link to /etc/passwd", "mkdir t && ln -s /etc/passwd t/p", 3 },
        { "link to a folder outside", "mkdir t o && echo x > o/f && ln -s ../o t/d", 3 },
        { "dangling link", "mkdir t && ln -s /nonexistent/x t/d", 3 },
        { "link loop", "mkdir t && ln -s l2 t/l1 && ln -s l1 t/l2", 3 },
        { "link to a file inside", "mkdir t && echo x > t/f && ln -s f t/l", 3 },
        { "link to the folder itself", "mkdir t && ln -s . t/self", 3 },
        { "FIFO", "mkdir t && mkfifo t/p", 3 },
        { "FIFO deep inside", "mkdir -p t/a/b/c && mkfifo t/a/b/c/p", 3 },
        { "unix socket", "mkdir t && python3 -c \"import socket; socket.socket(socket.AF_UNIX).bind('t/s')\"", 3 },
        { "non-UTF-8 name", "mkdir t && printf x > \"t/$(printf 'a\\377\\376')\"", 3 },
        { "name with a newline", "mkdir t && printf x > \"t/$(printf 'a\\nb')\"", 3 },
        { "name with ESC", "mkdir t && printf x > \"t/$(printf 'a\\033[31m')\"", 3 },
        { "name with a backslash", "mkdir t && printf x > 't/a\\b'", 0 },
        { "200 nested folders", "mkdir -p t/$(python3 -c \"print('/'.join(['d']*200))\") && echo x > t/$(python3 -c \"print('/'.join(['d']*200))\")/f", 0 },
        { "file over the entry limit", "mkdir t && head -c 17000000 /dev/zero > t/big", 3 },
        { "255-byte name", "mkdir t && echo x > t/$(python3 -c \"print('n'*255)\")", 0 },
        { "unreadable file", "mkdir t && echo x > t/f && chmod 000 t/f", -1 },
    };

    [Theory]
    [MemberData(nameof(CommitCases))]
    public async Task Commit_of_a_crafted_tree(string name, string script, int expected)
    {
        (await _cli.RunAsync("init")).Ok();
        _cli.Shell(script);
        CliResult result = null!;
        var cost = await Bounded.RunAsync(name, async () => result = await _cli.RunAsync("commit", "r", "-b", "main", "--from", "t"));
        if (expected == -1) expected = Environment.UserName == "root" ? 0 : 3; // root reads a mode-000 file
        if (expected == 0) result.Ok();
        else result.Error(expected);
        (await _cli.RunAsync("verify")).Ok();
        log.WriteLine($"{name}: exit {result.Code} {result.Stderr.Trim()} ({cost})");
    }

    /// <summary>name, shell script preparing <c>out</c> before <c>checkout --to out --force</c> of a snapshot with <c>sub/file</c> and <c>top</c>, expected exit.</summary>
    public static TheoryData<string, string, int> CheckoutCases => new()
    {
        { "empty target", "mkdir out", 0 },
        { "existing regular files", "mkdir -p out/sub && echo old > out/top && echo old > out/sub/file", 0 },
        { "folder link to outside", "mkdir out victim && ln -s ../victim out/sub", 3 },
        { "file link to outside", "mkdir out && echo keep > victim && ln -s ../victim out/top", 3 },
        { "file link to /dev/null", "mkdir out && ln -s /dev/null out/top", 3 },
        { "dangling link at the file", "mkdir out && ln -s ../nowhere out/top", 3 },
        { "a FIFO where a file goes", "mkdir out && mkfifo out/top", 3 },
        { "a folder where a file goes", "mkdir -p out/top", 3 },
        { "a file where a folder goes", "mkdir out && echo x > out/sub", 3 },
        { "hard link to outside", "mkdir -p out/sub && echo keep > victim && ln victim out/sub/file", 0 },
        { "target is a link to the store", "ln -s .vstore out", 3 },
        { "target is a link to the store's parent (entries stay outside the store)", "ln -s . out", 0 },
    };

    [Theory]
    [MemberData(nameof(CheckoutCases))]
    public async Task Checkout_over_a_crafted_tree(string name, string script, int expected)
    {
        (await _cli.RunAsync("init")).Ok();
        var source = _cli.PathOf("src");
        Directory.CreateDirectory(Path.Combine(source, "sub"));
        File.WriteAllText(Path.Combine(source, "sub", "file"), "new");
        File.WriteAllText(Path.Combine(source, "top"), "new");
        File.WriteAllText(Path.Combine(source, "CURRENT"), "not a manifest");
        (await _cli.RunAsync("commit", "r", "-b", "main", "--from", "src")).Ok();
        _cli.Shell(script);
        CliResult result = null!;
        var cost = await Bounded.RunAsync(name, async () => result = await _cli.RunAsync("checkout", "r", "main", "--to", "out", "--force"));
        if (expected == 0) result.Ok();
        else result.Error(expected);
        if (File.Exists(_cli.PathOf("victim"))) Assert.Equal("keep", File.ReadAllText(_cli.PathOf("victim")).Trim());
        if (Directory.Exists(_cli.PathOf("victim"))) Assert.Empty(Directory.GetFileSystemEntries(_cli.PathOf("victim")));
        (await _cli.RunAsync("verify")).Ok();
        log.WriteLine($"{name}: exit {result.Code} {result.Stderr.Trim()} ({cost})");
    }
}
