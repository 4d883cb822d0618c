using System.Collections;
using System.Diagnostics;
using System.Text;

namespace VersionStore.Tests.Dag;

/// <summary>A random commit DAG description: parents by index (always earlier), timestamps with clock skew.</summary>
internal sealed record RandomDag(int[][] Parents, long[] UnixSeconds)
{
    public int Count => Parents.Length;

    public static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// n commits; ~8% roots (unrelated histories), ~22% merges (a few octopus), the rest linear on a random recent
    /// commit. Timestamps drift forward but jitter by up to ±3 hours, so children are often "older" than parents.
    /// </summary>
    public static RandomDag Create(int seed, int n)
    {
        var rng = new Random(seed);
        var parents = new int[n][];
        var times = new long[n];
        for (var i = 0; i < n; i++)
        {
            var roll = rng.NextDouble();
            int[] ps;
            if (i == 0 || roll < 0.06) ps = [];
            else if (roll < 0.28 && i >= 3)
            {
                var k = roll < 0.30 && i >= 6 && rng.Next(8) == 0 ? 3 : 2;
                ps = Enumerable.Range(0, 64).Select(_ => Pick(rng, i)).Distinct().Take(k).ToArray();
            }
            else ps = [Pick(rng, i)];
            parents[i] = ps;
            times[i] = Epoch.ToUnixTimeSeconds() + i * 600 + rng.Next(-3 * 3600, 3 * 3600);
        }
        return new RandomDag(parents, times);

        static int Pick(Random rng, int i) => rng.Next(3) == 0 ? rng.Next(i) : Math.Max(0, i - 1 - rng.Next(Math.Min(i, 12)));
    }

    /// <summary>Ancestor sets (reflexive) by brute force.</summary>
    public BitArray[] Ancestors()
    {
        var result = new BitArray[Count];
        for (var i = 0; i < Count; i++)
        {
            var set = new BitArray(Count);
            set[i] = true;
            foreach (var p in Parents[i]) set.Or(result[p]);
            result[i] = set;
        }
        return result;
    }

    /// <summary>Best common ancestors by definition: common ancestors that are not a proper ancestor of another common ancestor.</summary>
    public SortedSet<int> BestCommonAncestors(BitArray[] anc, int a, int b)
    {
        var common = new BitArray(anc[a]).And(anc[b]);
        var result = new SortedSet<int>();
        for (var c = 0; c < Count; c++)
        {
            if (!common[c]) continue;
            var dominated = false;
            for (var d = 0; d < Count && !dominated; d++)
                if (d != c && common[d] && anc[d][c]) dominated = true;
            if (!dominated) result.Add(c);
        }
        return result;
    }

    /// <summary>
    /// Builds the DAG in <paramref name="repo"/> through the public API (explicit parents and timestamps). The branch is
    /// only a write handle that jumps between the DAG's tips, so every commit is forced (most are not fast-forwards).
    /// </summary>
    public async Task<ObjectId[]> BuildAsync(Repository repo, string branch = "dag")
    {
        var ids = new ObjectId[Count];
        for (var i = 0; i < Count; i++)
        {
            var r = await repo.CommitAsync(branch, new SnapshotChanges(), new CommitOptions
            {
                Parents = Parents[i].Select(p => ids[p]).ToArray(),
                Timestamp = DateTimeOffset.FromUnixTimeSeconds(UnixSeconds[i]),
                Message = $"c{i}",
                Author = "dag",
                Force = true,
            });
            ids[i] = r.Id;
        }
        return ids;
    }
}

/// <summary>A temporary git repository driven by the git CLI (batched: fast-import to build, one shell script per query batch).</summary>
internal sealed class GitRepo : IDisposable
{
    public GitRepo()
    {
        Dir = Path.Combine(Path.GetTempPath(), "vstore-dag-git-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Dir);
        Run("git", "init -q -b main .");
    }

    public string Dir { get; }

    /// <summary>Runs a process in the repository; returns (exit code, stdout).</summary>
    public (int Code, string Stdout) Run(string file, string args, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = Dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["HOME"] = Dir;
        psi.Environment["GIT_AUTHOR_NAME"] = psi.Environment["GIT_COMMITTER_NAME"] = "dag";
        psi.Environment["GIT_AUTHOR_EMAIL"] = psi.Environment["GIT_COMMITTER_EMAIL"] = "dag@example.com";
        using var p = Process.Start(psi)!;
        var errTask = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            p.StandardInput.Write(stdin);
            p.StandardInput.Close();
        }
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var err = errTask.Result;
        if (p.ExitCode > 1) throw new InvalidOperationException($"{file} {args} exited {p.ExitCode}: {err}");
        return (p.ExitCode, stdout);
    }

    /// <summary>Imports the DAG with git fast-import (empty trees, exact dates); returns commit SHAs by index.</summary>
    public string[] Import(RandomDag dag)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < dag.Count; i++)
        {
            var msg = $"c{i}";
            sb.Append($"commit refs/heads/c{i}\nmark :{i + 1}\ncommitter dag <dag@example.com> {dag.UnixSeconds[i]} +0000\ndata {System.Text.Encoding.UTF8.GetByteCount(msg)}\n{msg}\n");
            var ps = dag.Parents[i];
            if (ps.Length > 0) sb.Append($"from :{ps[0] + 1}\n");
            else sb.Append("deleteall\n");
            foreach (var p in ps.Skip(1)) sb.Append($"merge :{p + 1}\n");
            sb.Append('\n');
        }
        var marks = Path.Combine(Dir, "marks");
        Run("git", $"fast-import --quiet --export-marks={marks}", sb.ToString());
        var ids = new string[dag.Count];
        foreach (var line in File.ReadAllLines(marks))
        {
            var parts = line.Split(' ');
            ids[int.Parse(parts[0][1..]) - 1] = parts[1];
        }
        Run("git", "commit-graph write --reachable");
        return ids;
    }

    /// <summary>Runs <paramref name="commands"/> (shell lines) in one sh process; returns stdout.</summary>
    public string Script(IEnumerable<string> commands)
    {
        var path = Path.Combine(Dir, "q.sh");
        File.WriteAllLines(path, commands);
        return Run("sh", path).Stdout;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
