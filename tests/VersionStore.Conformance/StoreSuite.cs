namespace VersionStore.Conformance;

/// <summary>
/// The store lifecycle shared by the backend conformance suites: a derived class returns a fresh, empty store from
/// <see cref="CreateStore"/>; tests take stores with <see cref="NewStore"/>; every store a test took is released
/// through <see cref="DisposeStores"/> when the test ends.
/// </summary>
/// <typeparam name="TStore">The contract under test (<see cref="IObjectStore"/> or <see cref="IRefStore"/>).</typeparam>
public abstract class StoreSuite<TStore> : IDisposable where TStore : class
{
    private readonly List<TStore> _stores = [];
    private readonly List<object> _owned = [];

    /// <summary>Creates a fresh, empty store. Called once or more per test.</summary>
    protected abstract TStore CreateStore();

    /// <summary>Releases what <see cref="CreateStore"/> made (default: disposes each store that is disposable).</summary>
    protected virtual void DisposeStores(IReadOnlyList<TStore> stores)
    {
        foreach (var s in stores) (s as IDisposable)?.Dispose();
    }

    /// <summary>A fresh store, released when the test ends.</summary>
    protected TStore NewStore()
    {
        var store = CreateStore();
        _stores.Add(store);
        return store;
    }

    /// <summary>
    /// Hands <paramref name="part"/> (what a store is made of: a host, a database, a temp folder) to the suite: disposed
    /// after the stores, in reverse order.
    /// </summary>
    protected T Own<T>(T part) where T : class
    {
        _owned.Add(part);
        return part;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        DisposeStores(_stores);
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            switch (_owned[i])
            {
                case IAsyncDisposable a: a.DisposeAsync().AsTask().GetAwaiter().GetResult(); break;
                case IDisposable d: d.Dispose(); break;
            }
        }
        _owned.Clear();
        GC.SuppressFinalize(this);
    }
}
