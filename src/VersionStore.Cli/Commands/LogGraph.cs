namespace VersionStore.Cli.Commands;

/// <summary>
/// Draws the DAG beside <c>vstore log --graph</c>, in the manner of <c>git log --graph</c>: one column per line of
/// history that is still open, <c>*</c> for the commit on its column, <c>|</c> for the others, <c>\</c> where a merge
/// opens a column for its other parents and <c>/</c> (with <c>_</c> across columns in between) where two columns
/// reach the same commit and join. Commits must come children first (topological order); parents that the log does
/// not show (outside the range, or past <c>-n</c>) end their column instead of leaving it open.
/// </summary>
internal sealed class LogGraph(IReadOnlySet<ObjectId> shown)
{
    private readonly List<ObjectId> _columns = [];

    /// <summary>
    /// The rows for <paramref name="commit"/> (with <paramref name="commitParents"/>): its own row; the rows a merge needs to open columns for its other parents
    /// (drawn right after the commit's row); the prefix of the commit's further text lines; and the rows that join or
    /// shift columns (drawn after that text, before the next commit).
    /// </summary>
    public (string CommitRow, IReadOnlyList<string> Opens, string Continuation, IReadOnlyList<string> Joins) Next(ObjectId commit, IReadOnlyList<ObjectId> commitParents, bool firstParentOnly)
    {
        var index = _columns.IndexOf(commit);
        if (index < 0)
        {
            _columns.Add(commit);
            index = _columns.Count - 1;
        }
        var commitRow = Row(_columns.Count, k => k == index ? '*' : '|');
        var opens = new List<string>();
        var joins = new List<string>();
        string continuation;

        var parents = (firstParentOnly ? commitParents.Take(1) : commitParents).Where(shown.Contains).Distinct().ToList();
        if (parents.Count == 0)
        {
            continuation = Row(_columns.Count, k => k == index ? ' ' : '|');
            _columns.RemoveAt(index);
            if (index < _columns.Count) joins.Add(Shift(index, _columns.Count + 1));
        }
        else
        {
            _columns[index] = parents[0];
            var opened = 0;
            foreach (var p in parents.Skip(1))
            {
                if (_columns.Contains(p)) continue; // already open elsewhere: joined below
                _columns.Insert(index + 1 + opened, p);
                opened++;
            }
            if (opened > 0) opens.Add(Open(index, _columns.Count));
            continuation = Row(_columns.Count, _ => '|');
            // Two columns waiting for the same commit join: the right one moves onto the left one.
            for (var joined = Join(); joined is { } row; joined = Join()) joins.Add(row);
        }
        return (commitRow, opens, continuation, joins);
    }

    private string? Join()
    {
        for (var right = _columns.Count - 1; right > 0; right--)
        {
            var left = _columns.IndexOf(_columns[right]);
            if (left == right) continue;
            var width = _columns.Count;
            _columns.RemoveAt(right);
            var chars = Blank(width);
            for (var k = 0; k < right; k++) chars[2 * k] = '|';
            for (var k = left + 1; k < right; k++) chars[2 * k - 1] = '_';
            for (var k = right; k < width; k++) chars[2 * k - 1] = '/';
            return new string(chars).TrimEnd();
        }
        return null;
    }

    /// <summary>A merge at <paramref name="index"/> opened columns to its right: they (and the columns after) lean right.</summary>
    private static string Open(int index, int width)
    {
        var chars = Blank(width);
        for (var k = 0; k <= index; k++) chars[2 * k] = '|';
        for (var k = index + 1; k < width; k++) chars[2 * k - 1] = '\\';
        return new string(chars).TrimEnd();
    }

    /// <summary>A column at <paramref name="index"/> ended: the columns to its right move one to the left.</summary>
    private static string Shift(int index, int width)
    {
        var chars = Blank(width);
        for (var k = 0; k < index; k++) chars[2 * k] = '|';
        for (var k = index + 1; k < width; k++) chars[2 * k - 1] = '/';
        return new string(chars).TrimEnd();
    }

    private static string Row(int width, Func<int, char> cell)
    {
        var chars = Blank(width);
        for (var k = 0; k < width; k++) chars[2 * k] = cell(k);
        return new string(chars).TrimEnd();
    }

    private static char[] Blank(int width) => Enumerable.Repeat(' ', Math.Max(0, 2 * width - 1)).ToArray();
}
