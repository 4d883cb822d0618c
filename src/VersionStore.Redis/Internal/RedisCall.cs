using StackExchange.Redis;

namespace VersionStore.Internal;

/// <summary>Runs one Redis call with a hard time bound and maps its failures to <see cref="BackendUnavailableException"/>.</summary>
internal static class RedisCall
{
    public const string Backend = "Redis";

    public static async Task<T> Run<T>(Task<T> call, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        try
        {
            // StackExchange.Redis enforces AsyncTimeout itself, but checks it on a timer; this bound is exact.
            return await call.WaitAsync(timeout + TimeSpan.FromMilliseconds(250), SystemClock.Default, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            Observe(call);
            throw Unavailable(what, e);
        }
        catch (OperationCanceledException)
        {
            Observe(call);
            throw;
        }
    }

    public static async Task Run(Task call, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        try
        {
            await call.WaitAsync(timeout + TimeSpan.FromMilliseconds(250), SystemClock.Default, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            Observe(call);
            throw Unavailable(what, e);
        }
        catch (OperationCanceledException)
        {
            Observe(call);
            throw;
        }
    }

    public static bool IsUnavailable(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    /// <summary>One human line naming the operation (and through it the repository); the client library's details stay in the inner exception.</summary>
    public static BackendUnavailableException Unavailable(string what, Exception e)
        => new(Backend, $"{what} failed: {Reason(e)}", e);

    private static string Reason(Exception e) => e switch
    {
        RedisConnectionException => "no connection",
        RedisTimeoutException or TimeoutException => "no answer in time",
        ObjectDisposedException => "the connection is closed",
        RedisServerException s => "Redis answered an error: " + FirstLine(s.Message),
        _ => FirstLine(e.Message),
    };

    private static string FirstLine(string message)
    {
        var cut = message.IndexOfAny(['\r', '\n']);
        var line = cut < 0 ? message : message[..cut];
        // StackExchange.Redis appends diagnostics after the first sentence (", mc: …", "IOCP: …"): keep the sentence.
        var diagnostics = line.IndexOf(", mc: ", StringComparison.Ordinal);
        return (diagnostics < 0 ? line : line[..diagnostics]).Trim();
    }

    /// <summary>Keeps an abandoned call's late failure from surfacing as an unobserved task exception.</summary>
    private static void Observe(Task call)
        => call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
}
