using System.Net;
using System.Text;
using VersionStore.Workflows;

namespace VersionStore.Hostile.Tests;

/// <summary>One test per defect of the hostile-input run (issue 9, items 1–3 and 5–12), each failing before its fix.</summary>
public sealed class RegressionTests(ITestOutputHelper log) : IDisposable
{
    private readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    internal static string AliasBomb(int stringBytes, int aliases)
        => "app: {name: bomb, mode: workflow}\n"
            + $"big: &s \"{new string('x', stringBytes)}\"\n"
            + "workflow:\n  graph:\n    edges: []\n    nodes:\n      - id: a\n        data:\n          list: ["
            + string.Join(", ", Enumerable.Repeat("*s", aliases)) + "]\n";

    internal static string NodeField(string scalar)
        => "app: {name: n, mode: workflow}\nworkflow:\n  graph:\n    edges: []\n    nodes:\n      - id: a\n        data:\n          value: " + scalar + "\n";

    [Fact] // 1
    public async Task Item01_yaml_aliases_of_a_long_string_are_refused_by_expanded_bytes_before_any_copy()
    {
        var text = AliasBomb(1 << 20, 200);
        var cost = await Bounded.Run("alias bomb", () =>
        {
            var e = Assert.Throws<InvalidWorkflowException>(() => DifyWorkflowCodec.Parse(text));
            Assert.Contains("alias expansion", e.Message);
        }, TimeSpan.FromSeconds(3), 96L << 20);
        log.WriteLine($"1 MiB x 200 aliases: {cost}");
        // Aliases within the budget still work as PyYAML reads them.
        var ok = DifyWorkflowCodec.Parse(AliasBomb(100, 20));
        Assert.Single(ok.Nodes);
    }

    [Theory] // 2
    [InlineData("decimal", 1_000_000, "")]
    [InlineData("hex", 1_000_000, "0x")]
    [InlineData("binary", 1_000_000, "0b")]
    [InlineData("octal", 1_000_000, "0")]
    [InlineData("float", 1_000_000, "0.")]
    public async Task Item02_long_integer_scalars_are_refused_on_their_length_before_parsing(string kind, int digits, string prefix)
    {
        var digit = prefix == "0b" ? '1' : '7';
        var text = NodeField(prefix + new string(digit, digits));
        var cost = await Bounded.Run(kind, () =>
        {
            var e = Assert.Throws<InvalidWorkflowException>(() => DifyWorkflowCodec.Parse(text));
            Assert.Contains("more than 4000 digits", e.Message);
        }, TimeSpan.FromSeconds(2));
        log.WriteLine($"{kind} {digits} digits: {cost}");
        var json = "{\"app\":{\"name\":\"n\"},\"workflow\":{\"graph\":{\"edges\":[],\"nodes\":[{\"id\":\"a\",\"data\":{\"v\":" + new string('7', digits) + "}}]}}}";
        await Bounded.Run("json " + kind, () => Assert.Throws<InvalidWorkflowException>(() => DifyWorkflowCodec.Parse(json)), TimeSpan.FromSeconds(2));
        // 4000 digits are still read exactly.
        Assert.Single(DifyWorkflowCodec.Parse(NodeField(new string('9', 4000))).Nodes);
    }

    [Fact] // 3
    public async Task Item03_checkout_with_force_never_writes_through_a_symbolic_link_inside_the_directory()
    {
        await _cli.InitAsync();
        await _cli.CommitFolderAsync("f", ("sub/file", "payload"));
        var outside = _cli.PathOf("elsewhere");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "file"), "precious");
        var dir = _cli.PathOf("out");
        Directory.CreateDirectory(dir);
        File.CreateSymbolicLink(Path.Combine(dir, "sub"), outside);
        var line = (await _cli.RunAsync("checkout", "r", "main", "--to", dir, "--force")).Error(3);
        Assert.Contains("symbolic link", line);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(outside, "file")));
        // A link at the file itself is refused too; the linked file keeps its content.
        Directory.Delete(Path.Combine(dir, "sub"));
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.CreateSymbolicLink(Path.Combine(dir, "sub", "file"), Path.Combine(outside, "file"));
        (await _cli.RunAsync("checkout", "r", "main", "--to", dir, "--force")).Error(3);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(outside, "file")));
        // A hard link to an outside file is replaced by rename, not written through.
        File.Delete(Path.Combine(dir, "sub", "file"));
        _cli.Shell($"ln '{Path.Combine(outside, "file")}' '{Path.Combine(dir, "sub", "file")}'");
        (await _cli.RunAsync("checkout", "r", "main", "--to", dir, "--force")).Ok();
        Assert.Equal("precious", File.ReadAllText(Path.Combine(outside, "file")));
        Assert.Equal("payload", File.ReadAllText(Path.Combine(dir, "sub", "file")));
    }

    [Fact] // 5
    public async Task Item05_actors_with_control_characters_are_refused_and_stored_text_prints_escaped()
    {
        var first = await _cli.InitAsync();
        var fake = "mallory\n2026-01-01 00:00:00.000Z  refs/heads/main@{9}  rollback  by admin  000000000000 -> 111111111111";
        Assert.Contains("control characters", (await _cli.RunAsync("branch", "r", "b2", "main", "--actor", fake)).Error(3));
        Assert.Contains("control characters", (await _cli.RunAsync("commit", "r", "-b", "main", "--from", _cli.PathOf("f"), "--author", "eve\r")).Error(3));
        // A reason may be several lines, but it never reaches the terminal raw.
        await _cli.CommitFolderAsync("f", ("a", "2"));
        (await _cli.RunAsync("rollback", "r", "--branch", "main", "--to", first, "--reason", "ok\u001b[2K\u001b[1Afaked\nline two")).Ok();
        var audit = (await _cli.RunAsync("audit", "r")).Ok();
        Assert.DoesNotContain('\u001b', audit);
        Assert.Contains("\\e[2K", audit);
        Assert.Equal(3, audit.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // commit, commit, rollback: one line each
        // Entries written before this check (straight into the backend) print escaped too: one line per entry.
        using (var backend = RocksDbBackend.Open(_cli.Store))
        {
            var name = RefName.Branch("forged");
            var entry = new AuditEntry(name, 1, null, ObjectId.Parse(first), "branch", fake, DateTimeOffset.UnixEpoch, "x\u001b]0;title\u0007", ObjectId.Zero);
            Assert.True(await backend.TryUpdateRefAsync(new RefUpdate(new RepositoryName("r"), null, entry)));
        }
        var text = (await _cli.RunAsync("audit", "r", "forged")).Ok();
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("mallory\\n2026", text);
        Assert.DoesNotContain('\u0007', text);
        // JSON keeps the exact text (escaped by JSON itself).
        Assert.Contains("mallory\\n2026", (await _cli.RunAsync("audit", "r", "forged", "--json")).Ok());
    }

    [Fact] // 6
    public async Task Item06_a_commit_whose_parents_do_not_include_the_head_is_a_non_fast_forward_refused_unless_forced()
    {
        var first = await _cli.InitAsync();
        var second = await _cli.CommitFolderAsync("f", ("a", "2"));
        File.WriteAllText(_cli.PathOf("f", "a"), "3");
        var line = (await _cli.RunAsync("commit", "r", "--branch", "main", "--from", _cli.PathOf("f"), "--parent", first)).Error(4);
        Assert.Contains("not a fast-forward", line);
        Assert.Equal(second[..12], (await _cli.RunAsync("log", "r", "--oneline", "-n", "1")).Ok()[..12]);
        // A parent that descends from the head is a fast-forward; forcing a rewind is audited as such.
        (await _cli.RunAsync("commit", "r", "--branch", "main", "--from", _cli.PathOf("f"), "--parent", second)).Ok();
        (await _cli.RunAsync("commit", "r", "--branch", "main", "--from", _cli.PathOf("f"), "--parent", first, "--force")).Ok();
        var audit = (await _cli.RunAsync("audit", "r", "main", "--json")).Ok();
        Assert.Contains("\"operation\": \"commit.force\"", audit);
        Assert.Contains("Forced-Over", audit);
    }

    [Fact] // 7
    public async Task Item07_a_flipped_byte_in_the_last_wal_record_refuses_to_open_instead_of_losing_the_commit()
    {
        using var dir = new TempDirectory("wal");
        var heads = await WalDamage.WriteCommitsAsync(dir.Path, 12);
        var silent = new List<int>();
        foreach (var back in WalDamage.LastRecordOffsets(dir.Path))
        {
            using var copy = WalDamage.CopyWithFlippedByte(dir.Path, back);
            try
            {
                using var reopened = RocksDbBackend.Open(new RocksDbBackendOptions { Path = copy.Path, CreateIfMissing = false });
                var state = await reopened.TryGetRefAsync(new RepositoryName("r"), RefName.Branch("main"));
                if (state?.Target != heads[^1]) silent.Add(back);
            }
            catch (CorruptObjectException e)
            {
                Assert.Contains("damaged", e.Message);
                Assert.Contains("PointInTime", e.Message);
            }
        }
        Assert.Empty(silent);
        // The documented recovery path: point-in-time keeps what precedes the damage (11 of 12).
        using (var damaged = WalDamage.CopyWithFlippedByte(dir.Path, 20))
        using (var recovered = RocksDbBackend.Open(new RocksDbBackendOptions { Path = damaged.Path, CreateIfMissing = false, WalRecovery = RocksDbWalRecovery.PointInTime }))
            Assert.Equal(heads[^2], (await recovered.TryGetRefAsync(new RepositoryName("r"), RefName.Branch("main")))?.Target);
    }

    [Fact] // 8
    public async Task Item08_checkout_into_or_under_the_store_folder_is_refused_and_the_store_survives()
    {
        await _cli.InitAsync();
        await _cli.CommitFolderAsync("f", ("CURRENT", "not rocksdb"), (".vstore/CURRENT", "not rocksdb either"));
        Assert.Contains("store's", (await _cli.RunAsync("checkout", "r", "main", "--to", _cli.Store, "--force")).Error(3));
        Assert.Contains("store's", (await _cli.RunAsync("checkout", "r", "main", "--to", Path.Combine(_cli.Store, "sub"), "--force")).Error(3));
        Assert.Contains("store's folder", (await _cli.RunAsync("checkout", "r", "main", "--to", _cli.Root, "--force")).Error(3));
        File.CreateSymbolicLink(_cli.PathOf("alias"), _cli.Store); // physical, not lexical
        (await _cli.RunAsync("checkout", "r", "main", "--to", _cli.PathOf("alias"), "--force")).Error(3);
        (await _cli.RunAsync("verify")).Ok();
    }

    [Fact] // 9
    public void Item09_a_merge_conflict_of_a_lost_race_exits_4()
    {
        using var stderr = new StringWriter();
        var cli = new CliContext(TextWriter.Null, stderr, new CliEnvironment());
        var e = new MergeConflictException("r", RefName.Branch("main"), ObjectId.Zero, [new MergeConflict("a", MergeConflictKind.BothModified, null, null, null)]);
        Assert.Equal(ExitCodes.Conflict, cli.Fail(e, CancellationToken.None));
        Assert.Equal(ExitCodes.Conflict, cli.Fail(new NonFastForwardException("r", RefName.Branch("main"), ObjectId.Zero, []), CancellationToken.None));
    }

    [Theory] // 10
    [InlineData("{\"latency_p99_ms\": 1e308}")]
    [InlineData("{\"latency_p99_ms\": -1e308}")]
    [InlineData("{\"latency_p99_ms\": 1e400}")]
    [InlineData("{\"requests\": 1e30}")]
    [InlineData("{\"requests\": 99999999999999999999}")]
    [InlineData("{\"samples\": [{\"latency_p99_ms\": 1e308}]}")]
    public async Task Item10_out_of_range_numbers_in_a_health_body_are_400(string body)
    {
        await using var api = await Api.StartAsync();
        using var response = await api.Client.PostAsync("/v1/workflows/wf/channels/prod/health", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact] // 11
    public async Task Item11_endless_files_fifos_links_out_of_the_folder_and_non_utf8_names_are_refused_by_name()
    {
        await _cli.InitAsync();
        File.CreateSymbolicLink(_cli.PathOf("zero.yml"), "/dev/zero");
        await Bounded.RunAsync("--from /dev/zero", async () =>
            Assert.Contains("character device", (await _cli.RunAsync("commit", "r", "-b", "main", "--from", "zero.yml")).Error(3)), TimeSpan.FromSeconds(5), 64L << 20);

        Directory.CreateDirectory(_cli.PathOf("fifo"));
        _cli.Shell("mkfifo fifo/pipe");
        await Bounded.RunAsync("FIFO in a folder", async () =>
            Assert.Contains("FIFO", (await _cli.RunAsync("commit", "r", "-b", "main", "--from", "fifo")).Error(3)), TimeSpan.FromSeconds(5));

        Directory.CreateDirectory(_cli.PathOf("links"));
        File.WriteAllText(_cli.PathOf("secret.txt"), "outside");
        File.CreateSymbolicLink(_cli.PathOf("links", "s"), _cli.PathOf("secret.txt"));
        Assert.Contains("symbolic link", (await _cli.RunAsync("commit", "r", "-b", "main", "--from", "links")).Error(3));

        Directory.CreateDirectory(_cli.PathOf("odd"));
        _cli.Shell("printf x > \"odd/bad$(printf '\\377')name\"");
        Assert.Contains("not valid UTF-8", (await _cli.RunAsync("commit", "r", "-b", "main", "--from", "odd")).Error(3));
        Assert.Single((await _cli.RunAsync("log", "r", "--oneline")).Ok().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact] // 12
    public async Task Item12_errors_speak_for_people_and_an_unknown_option_is_a_usage_error()
    {
        await _cli.InitAsync();
        using (RocksDbBackend.Open(_cli.Store))
        {
            // Read-only commands open the store without its lock (they work beside a writer); a write needs the lock.
            var locked = (await _cli.RunAsync("tag", "r", "v9", "main")).Error(5);
            Assert.Contains("open in another process", locked);
            Assert.DoesNotContain("IO error", locked);
        }
        var n = (await _cli.RunAsync("log", "r", "-n", "abc")).Error(2);
        Assert.Contains("'abc' is not a valid value for --max-count (expected an integer)", n);
        Assert.DoesNotContain("System.", n);
        Assert.Contains("unknown option '--bogus'", (await _cli.RunAsync("log", "r", "--bogus")).Error(2));
        File.WriteAllText(_cli.PathOf("c.json"), "{\"dataPath\": \".vstore\", \"redisWaitForReplicas\": \"abc\"}");
        var config = (await _cli.RunAsync("log", "r", "--config", "c.json")).Error(3);
        Assert.DoesNotContain("System.", config);

        // A damaged table file is corruption (exit 6), not "unavailable".
        using (var backend = RocksDbBackend.Open(_cli.Store)) await backend.CompactAsync();
        foreach (var sst in Directory.GetFiles(_cli.Store, "*.sst"))
        {
            var bytes = File.ReadAllBytes(sst);
            for (var i = 64; i < bytes.Length / 2; i += 97) bytes[i] ^= 0x5A;
            File.WriteAllBytes(sst, bytes);
        }
        var corrupt = await _cli.RunAsync("log", "r");
        Assert.True(corrupt.Code == ExitCodes.Corrupt, $"exit {corrupt.Code}: {corrupt.Stderr}");
        Assert.DoesNotContain("unavailable", corrupt.Stderr);
        Assert.Contains("damaged", corrupt.Stderr);
    }
}
