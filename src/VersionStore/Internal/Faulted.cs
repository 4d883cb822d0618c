namespace VersionStore.Internal;

/// <summary>
/// An exception caught on a synchronous fast path, returned the way an async method would return it: a cancellation of
/// its own token as a cancelled task, anything else as a faulted one. For the methods that complete synchronously when
/// their stores do (resolve, is-ancestor, commit reads) and so are not <c>async</c> themselves.
/// </summary>
internal static class Faulted
{
    public static ValueTask<T> ValueTask<T>(Exception e)
        => e is OperationCanceledException c && c.CancellationToken.IsCancellationRequested
            ? System.Threading.Tasks.ValueTask.FromCanceled<T>(c.CancellationToken)
            : System.Threading.Tasks.ValueTask.FromException<T>(e);

    public static Task<T> Task<T>(Exception e)
        => e is OperationCanceledException c && c.CancellationToken.IsCancellationRequested
            ? System.Threading.Tasks.Task.FromCanceled<T>(c.CancellationToken)
            : System.Threading.Tasks.Task.FromException<T>(e);
}
