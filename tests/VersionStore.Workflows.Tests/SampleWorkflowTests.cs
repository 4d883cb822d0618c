using System.Runtime.CompilerServices;
using Xunit;

namespace VersionStore.Workflows.Tests;

/// <summary>The support-bot pair used by samples/WorkflowRollback.</summary>
public sealed class SampleWorkflowTests
{
    private static string SampleDir([CallerFilePath] string source = "")
    {
        for (var d = new DirectoryInfo(Path.GetDirectoryName(source)!); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "samples", "WorkflowRollback", "workflows");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("samples/WorkflowRollback/workflows not found above " + source);
    }

    [Fact]
    public async Task Support_bot_v150_changes_the_answer_model_and_adds_one_node()
    {
        var v14 = DifyWorkflowCodec.Parse(File.ReadAllText(Path.Combine(SampleDir(), "support-bot-v1.4.0.yml")));
        var v15 = DifyWorkflowCodec.Parse(File.ReadAllText(Path.Combine(SampleDir(), "support-bot-v1.5.0.yml")));
        Assert.Equal(10, v14.Nodes.Count);
        Assert.Equal(11, v15.Nodes.Count);
        Assert.Equal("gpt-4o-mini", v14.FindNode("answer-llm")!.Data!["model"]!["name"]!.GetValue<string>());
        Assert.Equal("gpt-4.1", v15.FindNode("answer-llm")!.Data!["model"]!["name"]!.GetValue<string>());

        var nodeChanges = WorkflowDiff.Compare(v14, v15).Where(c => c.Element == WorkflowElement.Node).ToList();
        Assert.Contains(nodeChanges, c => c is { Id: "answer-llm", Kind: WorkflowChangeKind.Modified, Title: "Answer", NodeType: "llm" });
        Assert.Contains(nodeChanges, c => c is { Id: "cite", Kind: WorkflowChangeKind.Added, NodeType: "template-transform" });
        Assert.Equal(["answer-llm", "cite", "reply-faq"], nodeChanges.Select(c => c.Id).Order(StringComparer.Ordinal));

        // Through a repository: commit both, roll the content back, the diff names the same nodes.
        await using var store = new RepositoryStore(new InMemoryObjectStore(), new InMemoryRefStore());
        var repo = store.GetRepository("support-bot");
        await repo.CommitWorkflowAsync("main", v14, new CommitOptions { Message = "v1.4.0" });
        await repo.CommitWorkflowAsync("main", v15, new CommitOptions { Message = "v1.5.0" });
        var viaRepo = await repo.DiffWorkflowAsync("main~1", "main");
        Assert.Equal(WorkflowDiff.Compare(v14, v15), viaRepo);
        var back = await repo.CheckoutWorkflowAsync("main~1");
        Assert.Equal(Fingerprint.Bytes(v14.Root), Fingerprint.Bytes(back.Root));
    }
}
