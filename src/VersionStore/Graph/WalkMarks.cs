using System.Buffers;
using System.Runtime.CompilerServices;

namespace VersionStore.Graph;

/// <summary>
/// Per-walk flag bytes indexed by graph position. Arrays come from a private pool that only ever holds
/// all-zero arrays: a walk records the positions it touched and clears just those on dispose, so a short
/// walk over a graph of a million commits costs what it touches, not a million-byte clear.
/// </summary>
internal sealed class WalkMarks : IDisposable
{
    private static readonly ArrayPool<byte> CleanPool = ArrayPool<byte>.Create(1 << 30, 8);

    private byte[] _flags;
    private int[] _touched;
    private int _touchedCount;
    private bool _overflow; // touched too many to track: clear the whole array on dispose

    public WalkMarks(int capacity)
    {
        _flags = CleanPool.Rent(Math.Max(capacity + 64, 256));
        _touched = ArrayPool<int>.Shared.Rent(256);
    }

    public byte this[int pos]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (uint)pos < (uint)_flags.Length ? _flags[pos] : (byte)0;
        // Inlined into the walks' loops with its common path (once per position a walk marks: a fresh process's first walk
        // marks a million), so their precompiled code makes no call per step (see History.AncestorWalk.Run).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set
        {
            if ((uint)pos >= (uint)_flags.Length) Grow(pos);
            ref var f = ref _flags[pos];
            if (f == 0 && value != 0 && !_overflow)
            {
                if (_touchedCount < _touched.Length) _touched[_touchedCount++] = pos;
                else Touch(pos);
            }
            f = value;
        }
    }

    /// <summary>Records a newly marked position when the record is full (the setter records the others itself): grows it, or gives up tracking.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Touch(int pos)
    {
        if (_touchedCount >= _flags.Length / 8) { _overflow = true; return; }
        var bigger = ArrayPool<int>.Shared.Rent(_touched.Length * 2);
        Array.Copy(_touched, bigger, _touchedCount);
        ArrayPool<int>.Shared.Return(_touched);
        _touched = bigger;
        _touched[_touchedCount++] = pos;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int pos)
    {
        var bigger = CleanPool.Rent(Math.Max(pos + 1, _flags.Length * 2));
        Array.Copy(_flags, bigger, _flags.Length);
        Array.Clear(_flags);
        CleanPool.Return(_flags);
        _flags = bigger;
    }

    public void Dispose()
    {
        if (_overflow) Array.Clear(_flags);
        else
            for (var i = 0; i < _touchedCount; i++) _flags[_touched[i]] = 0;
        CleanPool.Return(_flags);
        ArrayPool<int>.Shared.Return(_touched);
        _flags = [];
        _touched = [];
    }
}
