using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace VersionStore.Benchmarks;

/// <summary>Shapes of generated histories.</summary>
public enum HistoryShape
{
    /// <summary>One chain of commits, plus a one-commit side branch forked from the root.</summary>
    Linear,
    /// <summary>A main line where every 10th commit merges a 3-commit feature branch forked 4 commits back, plus the same root side branch.</summary>
    Branchy,
}

/// <summary>
/// A commit DAG described by parent indices (index 0 is the root), with the named commits the benchmarks query.
/// The same description is written into a VersionStore object store and into a git repository via fast-import,
/// so both answer questions about the same graph.
/// </summary>
public sealed class HistoryPlan
{
    private HistoryPlan(HistoryShape shape, int[] parent1, int[] parent2, int tip, int mid, int side, int midFeature)
    {
        Shape = shape;
        Parent1 = parent1;
        Parent2 = parent2;
        Tip = tip;
        Mid = mid;
        Side = side;
        MidFeature = midFeature;
    }

    /// <summary>The shape.</summary>
    public HistoryShape Shape { get; }
    /// <summary>First parent of each commit (-1: none).</summary>
    public int[] Parent1 { get; }
    /// <summary>Second parent of each commit (-1: none).</summary>
    public int[] Parent2 { get; }
    /// <summary>Number of commits.</summary>
    public int Count => Parent1.Length;
    /// <summary>The head of main.</summary>
    public int Tip { get; }
    /// <summary>A main-line commit about halfway down.</summary>
    public int Mid { get; }
    /// <summary>The side-branch commit forked from the root (not reachable from the tip).</summary>
    public int Side { get; }
    /// <summary>A commit at about the same depth as <see cref="Mid"/> that is not its ancestor nor descendant on the main line
    /// (branchy: a feature commit; linear: the side commit).</summary>
    public int MidFeature { get; }

    /// <summary>Plans a history of about <paramref name="count"/> commits.</summary>
    public static HistoryPlan Create(HistoryShape shape, int count)
    {
        var p1 = new List<int>(count + 1) { -1 };
        var p2 = new List<int>(count + 1) { -1 };
        var main = new List<int>(count) { 0 };
        int Add(int a, int b) { p1.Add(a); p2.Add(b); return p1.Count - 1; }
        var midFeature = -1;
        while (p1.Count < count - 1)
        {
            var head = main[^1];
            if (shape == HistoryShape.Branchy && main.Count % 10 == 9 && main.Count > 5)
            {
                var f = Add(main[^4], -1);
                f = Add(f, -1);
                if (midFeature < 0 && p1.Count >= count / 2) midFeature = f;
                f = Add(f, -1);
                main.Add(Add(head, f));
            }
            else main.Add(Add(head, -1));
        }
        var side = Add(0, -1);
        var mid = main[main.Count / 2];
        return new HistoryPlan(shape, p1.ToArray(), p2.ToArray(), main[^1], mid, side, midFeature < 0 ? side : midFeature);
    }

    /// <summary>Writes the plan as commits into <paramref name="objects"/>; <paramref name="treeOf"/> picks each commit's tree. Returns the ids.</summary>
    public async Task<ObjectId[]> WriteAsync(IObjectStore objects, Func<int, ObjectId> treeOf)
    {
        var ids = new ObjectId[Count];
        var generations = new long[Count];
        var batch = new List<EncodedObject>(4096);
        var time = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var one = new ObjectId[1];
        var two = new ObjectId[2];
        for (var i = 0; i < Count; i++)
        {
            ReadOnlySpan<ObjectId> parents;
            if (Parent1[i] < 0) { parents = []; generations[i] = 1; }
            else if (Parent2[i] < 0)
            {
                one[0] = ids[Parent1[i]];
                parents = one;
                generations[i] = generations[Parent1[i]] + 1;
            }
            else
            {
                two[0] = ids[Parent1[i]];
                two[1] = ids[Parent2[i]];
                parents = two;
                generations[i] = Math.Max(generations[Parent1[i]], generations[Parent2[i]]) + 1;
            }
            var encoded = ObjectCodec.EncodeCommit(treeOf(i), parents, generations[i], time.AddSeconds(i), "bench", "c" + i.ToString(CultureInfo.InvariantCulture), []);
            ids[i] = ObjectId.Compute(encoded);
            batch.Add(new EncodedObject(ids[i], encoded));
            if (batch.Count == batch.Capacity)
            {
                await objects.WriteAsync(batch);
                batch.Clear();
            }
        }
        await objects.WriteAsync(batch);
        return ids;
    }

    /// <summary>
    /// The same DAG as a git repository (empty trees), built with <c>git fast-import</c>, with a commit-graph
    /// written; cached under <paramref name="cacheDirectory"/>. Returns the folder and the SHA-1 of every commit.
    /// </summary>
    public (string Path, string[] Shas) BuildGitRepository(string cacheDirectory)
    {
        const string Stamp = "v1";
        var path = System.IO.Path.Combine(cacheDirectory, $"git-{Shape.ToString().ToLowerInvariant()}-{Count}-{Stamp}");
        var marks = System.IO.Path.Combine(path, "bench-marks");
        if (!File.Exists(System.IO.Path.Combine(path, "bench-complete")))
        {
            if (Directory.Exists(path)) Directory.Delete(path, true);
            Git(null, "init", "--bare", "-q", path);
            var psi = new ProcessStartInfo("git", ["-C", path, "fast-import", "--quiet", "--export-marks=" + marks])
            {
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            using (var p = Process.Start(psi)!)
            {
                var w = p.StandardInput;
                var sb = new StringBuilder();
                for (var i = 0; i < Count; i++)
                {
                    sb.Clear();
                    sb.Append("commit refs/heads/gen\nmark :").Append(i + 1).Append('\n');
                    sb.Append("committer bench <bench@example.com> ").Append(1577836800L + i).Append(" +0000\n");
                    var msg = "c" + i.ToString(CultureInfo.InvariantCulture);
                    sb.Append("data ").Append(msg.Length).Append('\n').Append(msg).Append('\n');
                    if (Parent1[i] >= 0) sb.Append("from :").Append(Parent1[i] + 1).Append('\n');
                    if (Parent2[i] >= 0) sb.Append("merge :").Append(Parent2[i] + 1).Append('\n');
                    sb.Append('\n');
                    w.Write(sb.ToString());
                }
                w.Write($"reset refs/heads/main\nfrom :{Tip + 1}\n\nreset refs/heads/side\nfrom :{Side + 1}\n\n");
                w.Close();
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException("git fast-import failed");
            }
            Git(path, "commit-graph", "write", "--reachable");
            File.WriteAllText(System.IO.Path.Combine(path, "bench-complete"), Stamp);
        }
        var shas = new string[Count];
        foreach (var line in File.ReadLines(marks))
        {
            var space = line.IndexOf(' ');
            shas[int.Parse(line.AsSpan(1, space - 1), CultureInfo.InvariantCulture) - 1] = line[(space + 1)..];
        }
        return (path, shas);
    }

    /// <summary>Runs git and returns its standard output (throws on a failure exit code unless <paramref name="allowExitOne"/>).</summary>
    public static string Git(string? repository, params string[] args) => Git(repository, false, args).Output;

    /// <summary>Runs git; returns exit code and output.</summary>
    public static (int ExitCode, string Output) Git(string? repository, bool allowExitOne, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (repository is not null) { psi.ArgumentList.Add("-C"); psi.ArgumentList.Add(repository); }
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0 && !(allowExitOne && p.ExitCode == 1))
            throw new InvalidOperationException($"git {string.Join(' ', args)} exited {p.ExitCode}: {error}");
        return (p.ExitCode, output);
    }
}
