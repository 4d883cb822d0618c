namespace VersionStore.Releases.Tests;

internal static class Verifiers
{
    /// <summary>Always answers <paramref name="failure"/> (null: passes).</summary>
    public sealed class Fixed(string? failure) : IRollbackVerifier
    {
        public int Calls { get; private set; }
        public ValueTask<string?> VerifyAsync(Repository repository, Commit target, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult(failure);
        }
    }

    /// <summary>Never returns and ignores its token (a hung health probe).</summary>
    public sealed class Hung : IRollbackVerifier
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public async ValueTask<string?> VerifyAsync(Repository repository, Commit target, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, CancellationToken.None);
            return null;
        }
    }
}
