using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VersionStore.Graph;

/// <summary>
/// XXH3-64 of a long input given in two parts (<c>head ++ rest</c>, as <see cref="XxHash3"/> would hash them appended
/// one after the other, with the same seed): bit-for-bit the value <see cref="XxHash3"/> computes, so the commit-graph
/// file format does not change. Why a second implementation: the commit-graph base checksum hashes tens of MB once per
/// process, right after start, when the library's <see cref="XxHash3"/> still runs as unoptimised tier-0 code (its
/// small vector helpers not yet inlined; measured ~100 ms CPU for 60 MB against ~9 ms once tiered up). The inner loop,
/// <see cref="Accumulate"/>, is compiled fully optimised on first call (<see cref="MethodImplOptions.AggressiveOptimization"/>);
/// <see cref="Hash(ReadOnlySpan{byte}, ReadOnlySpan{byte}, long)"/> is not marked; where the package's linux-x64 ReadyToRun
/// image runs, a long input takes a scalar accumulate the image carries (<see cref="HashPrecompiled"/>), so nothing is
/// compiled at all (docs/BENCHMARKS.md, "First walk, fourth pass").
/// </summary>
internal static class LongXxHash3
{
    private const int StripeLength = 64;
    private const int SecretSize = 192;
    private const int StripesPerBlock = (SecretSize - StripeLength) / 8; // 16
    private const int BlockLength = StripeLength * StripesPerBlock; // 1024
    /// <summary>Inputs up to this length take XXH3's short-input paths: left to <see cref="XxHash3"/>.</summary>
    private const int MidSizeMax = 240;

    private const ulong Prime32_1 = 0x9E3779B1UL, Prime32_2 = 0x85EBCA77UL, Prime32_3 = 0xC2B2AE3DUL;
    private const ulong Prime64_1 = 0x9E3779B185EBCA87UL, Prime64_2 = 0xC2B2AE3D27D4EB4FUL, Prime64_3 = 0x165667B19E3779F9UL;
    private const ulong Prime64_4 = 0x85EBCA77C2B2AE63UL, Prime64_5 = 0x27D4EB2F165667C5UL;

    /// <summary>XXH3's default secret (xxhash.h, <c>XXH3_kSecret</c>).</summary>
    private static ReadOnlySpan<byte> DefaultSecret =>
    [
        0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
        0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
        0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
        0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
        0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
        0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
        0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
        0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
        0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
        0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
        0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
        0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
    ];

    /// <summary>The XXH3-64 hash, seeded with <paramref name="seed"/>, of <paramref name="head"/> (at most 64 bytes) followed by <paramref name="rest"/>.</summary>
    /// <remarks>
    /// A long input is hashed by <see cref="HashPrecompiled"/> where the ReadyToRun image's scalar accumulate runs
    /// (nothing compiled), else by <see cref="HashOptimized"/>, compiled fully optimised once (not tier-0 code, then
    /// on-stack replacement: ~4 ms of JIT in a fresh process). The value is the same.
    /// </remarks>
    public static ulong Hash(ReadOnlySpan<byte> head, ReadOnlySpan<byte> rest, long seed)
    {
        if (head.Length > StripeLength) throw new ArgumentOutOfRangeException(nameof(head), "at most 64 bytes");
        if ((long)head.Length + rest.Length <= MidSizeMax)
        {
            var xx = new XxHash3(seed);
            xx.Append(head);
            xx.Append(rest);
            return xx.GetCurrentHashAsUInt64();
        }
        // NativeAOT (no dynamic code: everything is precompiled, vector paths included) keeps the vector accumulate.
        return Internal.Precompiled.IsUsed && RuntimeFeature.IsDynamicCodeSupported && PrecompiledScalarIsUsed()
            ? HashPrecompiled(head, rest, seed) : HashOptimized(head, rest, seed);
    }

    /// <summary>A long input's hash by <see cref="AccumulateScalar"/>: unmarked, the ReadyToRun image carries it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static ulong HashPrecompiled(ReadOnlySpan<byte> head, ReadOnlySpan<byte> rest, long seed) => HashLong(head, rest, seed, scalar: true);

    /// <summary>A long input's hash by the vector <see cref="Accumulate"/>, compiled fully optimised on first call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static ulong HashOptimized(ReadOnlySpan<byte> head, ReadOnlySpan<byte> rest, long seed) => HashLong(head, rest, seed, scalar: false);

    /// <summary>XXH3-64 of an input longer than <see cref="MidSizeMax"/> (head at most 64 bytes), the accumulate step by <see cref="AccumulateScalar"/> or <see cref="Accumulate"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong HashLong(ReadOnlySpan<byte> head, ReadOnlySpan<byte> rest, long seed, bool scalar)
    {
        if (head.Length > StripeLength || (long)head.Length + rest.Length <= MidSizeMax) throw new ArgumentOutOfRangeException(nameof(head));
        var length = (long)head.Length + rest.Length;

        Span<byte> secret = stackalloc byte[SecretSize];
        for (var i = 0; i < SecretSize; i += 16)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(secret[i..], BinaryPrimitives.ReadUInt64LittleEndian(DefaultSecret[i..]) + (ulong)seed);
            BinaryPrimitives.WriteUInt64LittleEndian(secret[(i + 8)..], BinaryPrimitives.ReadUInt64LittleEndian(DefaultSecret[(i + 8)..]) - (ulong)seed);
        }
        // stackalloc rather than a collection expression, whose inline-array helpers are generic code that JITs.
        Span<ulong> acc = stackalloc ulong[8];
        acc[0] = Prime32_3; acc[1] = Prime64_1; acc[2] = Prime64_2; acc[3] = Prime64_3;
        acc[4] = Prime64_4; acc[5] = Prime32_2; acc[6] = Prime64_5; acc[7] = Prime32_1;

        // The first block, head included, copied into one buffer; every later byte is read from rest in place.
        Span<byte> first = stackalloc byte[BlockLength];
        var firstLength = (int)Math.Min(length, BlockLength);
        head.CopyTo(first);
        rest[..(firstLength - head.Length)].CopyTo(first[head.Length..]);

        var blocks = (length - 1) / BlockLength;
        var scrambleKey = secret[(SecretSize - StripeLength)..];
        for (long n = 0; n < blocks; n++)
        {
            var block = n == 0 ? first : rest.Slice(checked((int)(n * BlockLength) - head.Length), BlockLength);
            if (scalar) AccumulateScalar(acc, block, secret, StripesPerBlock);
            else Accumulate(acc, block, secret, StripesPerBlock);
            Scramble(acc, scrambleKey);
        }
        var stripes = (int)((length - 1 - (blocks * BlockLength)) / StripeLength);
        var last = blocks == 0 ? first : rest[checked((int)(blocks * BlockLength) - head.Length)..];
        var tail = rest.Slice(checked((int)(length - StripeLength) - head.Length), StripeLength);
        if (scalar)
        {
            AccumulateScalar(acc, last, secret, stripes);
            AccumulateScalar(acc, tail, secret[(SecretSize - StripeLength - 7)..], 1);
        }
        else
        {
            Accumulate(acc, last, secret, stripes);
            Accumulate(acc, tail, secret[(SecretSize - StripeLength - 7)..], 1);
        }

        var result = (ulong)length * Prime64_1;
        for (var i = 0; i < 4; i++)
            result += Mul128Fold64(acc[2 * i] ^ BinaryPrimitives.ReadUInt64LittleEndian(secret[(11 + (16 * i))..]),
                acc[(2 * i) + 1] ^ BinaryPrimitives.ReadUInt64LittleEndian(secret[(11 + (16 * i) + 8)..]));
        result ^= result >> 37;
        result *= 0x165667919E3779F9UL;
        return result ^ (result >> 32);
    }

    /// <summary>XXH3's accumulate step over <paramref name="stripes"/> stripes of <paramref name="input"/>, the secret advancing 8 bytes per stripe.</summary>
    /// <remarks>
    /// Not inlined: <see cref="HashLong"/> calls it from three places, and a fully optimised compile of three inlined copies
    /// (vector and scalar paths each) cost a fresh process more JIT time than the call per 1 KiB block costs at run time.
    /// Still marked for a full compile on first call: each call loops over 16 stripes only, too few for on-stack
    /// replacement, so unmarked IL would hash 60 MB as tier-0 code; and the ReadyToRun image cannot stand in: unmarked,
    /// its precompiled code (the AVX2 path) was not used on an AVX-512 machine, the method ran as tier-0 code and the
    /// first attach took 165 ms instead of 45.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate(Span<ulong> acc, ReadOnlySpan<byte> input, ReadOnlySpan<byte> secret, int stripes)
    {
        if (stripes == 0) return;
        // Bounds checked once here; the loops below read through refs.
        if ((long)stripes * StripeLength > input.Length || ((stripes - 1) * 8) + StripeLength > secret.Length) throw new ArgumentOutOfRangeException(nameof(stripes));
        ref var data = ref MemoryMarshal.GetReference(input);
        ref var key = ref MemoryMarshal.GetReference(secret);
        if (Avx2.IsSupported)
        {
            ref var accBytes = ref Unsafe.As<ulong, byte>(ref MemoryMarshal.GetReference(acc));
            var a0 = Vector256.LoadUnsafe(ref accBytes).AsUInt64();
            var a1 = Vector256.LoadUnsafe(ref accBytes, 32).AsUInt64();
            for (var s = 0; s < stripes; s++)
            {
                var d0 = Vector256.LoadUnsafe(ref data, (nuint)(s * StripeLength));
                var d1 = Vector256.LoadUnsafe(ref data, (nuint)((s * StripeLength) + 32));
                var k0 = d0 ^ Vector256.LoadUnsafe(ref key, (nuint)(s * 8));
                var k1 = d1 ^ Vector256.LoadUnsafe(ref key, (nuint)((s * 8) + 32));
                // acc[i ^ 1] += data[i]; acc[i] += lo32(key[i]) * hi32(key[i])
                a0 += Avx2.Shuffle(d0.AsUInt32(), 0x4E).AsUInt64() + Avx2.Multiply(k0.AsUInt32(), Vector256.ShiftRightLogical(k0.AsUInt64(), 32).AsUInt32());
                a1 += Avx2.Shuffle(d1.AsUInt32(), 0x4E).AsUInt64() + Avx2.Multiply(k1.AsUInt32(), Vector256.ShiftRightLogical(k1.AsUInt64(), 32).AsUInt32());
            }
            a0.AsByte().StoreUnsafe(ref accBytes);
            a1.AsByte().StoreUnsafe(ref accBytes, 32);
            return;
        }
        ulong x0 = acc[0], x1 = acc[1], x2 = acc[2], x3 = acc[3], x4 = acc[4], x5 = acc[5], x6 = acc[6], x7 = acc[7];
        for (var s = 0; s < stripes; s++)
        {
            ref var d = ref Unsafe.Add(ref data, s * StripeLength);
            ref var k = ref Unsafe.Add(ref key, s * 8);
            Lane(ref x1, ref x0, ref d, ref k, 0);
            Lane(ref x0, ref x1, ref d, ref k, 8);
            Lane(ref x3, ref x2, ref d, ref k, 16);
            Lane(ref x2, ref x3, ref d, ref k, 24);
            Lane(ref x5, ref x4, ref d, ref k, 32);
            Lane(ref x4, ref x5, ref d, ref k, 40);
            Lane(ref x7, ref x6, ref d, ref k, 48);
            Lane(ref x6, ref x7, ref d, ref k, 56);
        }
        acc[0] = x0; acc[1] = x1; acc[2] = x2; acc[3] = x3; acc[4] = x4; acc[5] = x5; acc[6] = x6; acc[7] = x7;
    }

    /// <summary>
    /// True when <see cref="AccumulateScalar"/> runs as precompiled (ReadyToRun) code in this process: its first call, on a
    /// scratch accumulator, compiled nothing on this thread. Then the long loop takes it — no JIT at all for the checksum
    /// (the vector <see cref="Accumulate"/> is never precompiled: marked for a full compile, and ReadyToRun vector code is
    /// not used on an AVX-512 machine). Else (IL, or the image's code rejected) the probe cost one small tier-0 compile and
    /// the loop takes the vector path, compiled fully optimised.
    /// </summary>
    private static bool PrecompiledScalarIsUsed()
    {
        if (!BitConverter.IsLittleEndian) return false;
        Span<ulong> scratch = stackalloc ulong[8];
        var before = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true);
        AccumulateScalar(scratch, DefaultSecret, DefaultSecret, 1);
        return System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true) == before;
    }

    /// <summary>
    /// <see cref="Accumulate"/>'s scalar path on its own, for a little-endian host, written with <see cref="Unsafe"/>'s
    /// intrinsics only (ReadyToRun code cannot inline most framework methods): the ReadyToRun image carries it fully
    /// optimised, so a package consumer's fresh process hashes the base without compiling anything.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AccumulateScalar(Span<ulong> acc, ReadOnlySpan<byte> input, ReadOnlySpan<byte> secret, int stripes)
    {
        if (stripes == 0) return;
        if ((long)stripes * StripeLength > input.Length || ((stripes - 1) * 8) + StripeLength > secret.Length || acc.Length < 8) throw new ArgumentOutOfRangeException(nameof(stripes));
        ref var data = ref MemoryMarshal.GetReference(input);
        ref var key = ref MemoryMarshal.GetReference(secret);
        ref var a = ref MemoryMarshal.GetReference(acc);
        ulong x0 = a, x1 = Unsafe.Add(ref a, 1), x2 = Unsafe.Add(ref a, 2), x3 = Unsafe.Add(ref a, 3);
        ulong x4 = Unsafe.Add(ref a, 4), x5 = Unsafe.Add(ref a, 5), x6 = Unsafe.Add(ref a, 6), x7 = Unsafe.Add(ref a, 7);
        for (var s = 0; s < stripes; s++)
        {
            ref var d = ref Unsafe.Add(ref data, s * StripeLength);
            ref var k = ref Unsafe.Add(ref key, s * 8);
            ScalarLane(ref x1, ref x0, ref d, ref k, 0);
            ScalarLane(ref x0, ref x1, ref d, ref k, 8);
            ScalarLane(ref x3, ref x2, ref d, ref k, 16);
            ScalarLane(ref x2, ref x3, ref d, ref k, 24);
            ScalarLane(ref x5, ref x4, ref d, ref k, 32);
            ScalarLane(ref x4, ref x5, ref d, ref k, 40);
            ScalarLane(ref x7, ref x6, ref d, ref k, 48);
            ScalarLane(ref x6, ref x7, ref d, ref k, 56);
        }
        a = x0; Unsafe.Add(ref a, 1) = x1; Unsafe.Add(ref a, 2) = x2; Unsafe.Add(ref a, 3) = x3;
        Unsafe.Add(ref a, 4) = x4; Unsafe.Add(ref a, 5) = x5; Unsafe.Add(ref a, 6) = x6; Unsafe.Add(ref a, 7) = x7;
    }

    /// <summary><see cref="Lane"/> for a little-endian host, by unaligned reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScalarLane(ref ulong swapped, ref ulong own, ref byte data, ref byte key, int offset)
    {
        var value = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref data, offset));
        var keyed = value ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref key, offset));
        swapped += value;
        own += (keyed & 0xFFFFFFFFUL) * (keyed >> 32);
    }

    /// <summary>One lane of a stripe: the swapped accumulator takes the value, this one the 32×32 product of the keyed value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lane(ref ulong swapped, ref ulong own, ref byte data, ref byte key, int offset)
    {
        var value = BinaryPrimitives.ReadUInt64LittleEndian(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref data, offset), 8));
        var keyed = value ^ BinaryPrimitives.ReadUInt64LittleEndian(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref key, offset), 8));
        swapped += value;
        own += (keyed & 0xFFFFFFFFUL) * (keyed >> 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scramble(Span<ulong> acc, ReadOnlySpan<byte> secret)
    {
        for (var i = 0; i < 8; i++)
        {
            var a = acc[i];
            a ^= a >> 47;
            a ^= BinaryPrimitives.ReadUInt64LittleEndian(secret[(8 * i)..]);
            acc[i] = a * Prime32_1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mul128Fold64(ulong a, ulong b)
    {
        var high = Math.BigMul(a, b, out var low);
        return high ^ low;
    }
}
