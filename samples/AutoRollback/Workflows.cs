using VersionStore;

namespace AutoRollback;

/// <summary>The two versions of the sample workflow: the Dify exports under samples/WorkflowRollback/workflows when present, else a small inline graph.</summary>
internal static class Workflows
{
    public static (SnapshotChanges Good, SnapshotChanges Bad, string Source) Load()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            foreach (var root in new[] { dir.FullName, Environment.CurrentDirectory })
            {
                var folder = Path.Combine(root, "samples", "WorkflowRollback", "workflows");
                var v1 = Path.Combine(folder, "support-bot-v1.4.0.yml");
                var v2 = Path.Combine(folder, "support-bot-v1.5.0.yml");
                if (File.Exists(v1) && File.Exists(v2))
                    return (new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(v1)), new SnapshotChanges().Put("workflow.yml", File.ReadAllBytes(v2)), folder);
            }
        return (Inline("gpt-4o", 0.2), Inline("gpt-4o-mini", 1.3), "inline");
    }

    private static SnapshotChanges Inline(string model, double temperature) => new SnapshotChanges()
        .Put("graph/nodes/start", """{"type":"start","variables":[{"variable":"question","type":"paragraph"}]}""")
        .Put("graph/nodes/llm", $$$"""{"type":"llm","model":{"provider":"openai","name":"{{{model}}}","completion_params":{"temperature":{{{temperature.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}}},"prompt":"Answer the customer's question: {{#start.question#}}"}""")
        .Put("graph/nodes/answer", """{"type":"answer","answer":"{{#llm.text#}}"}""")
        .Put("graph/edges", """[{"source":"start","target":"llm"},{"source":"llm","target":"answer"}]""");
}
