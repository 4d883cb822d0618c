using CsCheck;

namespace VersionStore.Tests.Encoding;

/// <summary>
/// The object id's own hex code (Internal/IdHex, used by <see cref="ObjectId.TryParse"/> and <see cref="ObjectId.TryFormat"/>)
/// against the framework's: the same text for every id, the same id for every case of it, and every text that is not 64 hex
/// digits refused as before.
/// </summary>
public sealed class IdHexTests
{
    private static readonly Gen<byte[]> Bytes = Gen.Byte.Array[ObjectId.Size];

    [Fact]
    public void Formats_as_Convert_ToHexStringLower_and_parses_back_in_any_case()
        => Bytes.Sample(bytes =>
        {
            var id = new ObjectId(bytes);
            var expected = Convert.ToHexStringLower(bytes);
            Assert.Equal(expected, id.ToString());
            Span<char> buffer = stackalloc char[70];
            buffer.Fill('#');
            Assert.True(id.TryFormat(buffer, out var written, default, null));
            Assert.Equal(ObjectId.HexLength, written);
            Assert.Equal(expected, buffer[..written].ToString());
            Assert.Equal("######", buffer[written..].ToString()); // nothing written past the 64 digits
            Assert.Equal(id, ObjectId.Parse(expected));
            Assert.Equal(id, ObjectId.Parse(Convert.ToHexString(bytes)));
            var mixed = string.Create(expected.Length, expected, static (span, s) =>
            {
                for (var i = 0; i < s.Length; i++) span[i] = i % 3 == 0 ? char.ToUpperInvariant(s[i]) : s[i];
            });
            Assert.True(ObjectId.TryParse(mixed, out var parsed));
            Assert.Equal(id, parsed);
            Assert.Equal(bytes, parsed.ToByteArray());
        }, seed: CodecPropertyTests.Seed);

    [Fact]
    public void Every_char_in_every_position_is_accepted_exactly_when_it_is_a_hex_digit()
    {
        // Each of the 65,536 UTF-16 code units in one position (cycling through the 64), the rest valid digits: accepted
        // exactly when Convert.FromHexString accepts it, with the same value.
        var text = "0123456789abcdefABCDEF0123456789abcdef0123456789ABCDEF0123456789".ToCharArray();
        Span<byte> expected = stackalloc byte[ObjectId.Size];
        Span<byte> actual = stackalloc byte[ObjectId.Size];
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var position = c % ObjectId.HexLength;
            var original = text[position];
            text[position] = (char)c;
            var framework = Convert.FromHexString(text, expected, out _, out var written) == System.Buffers.OperationStatus.Done && written == ObjectId.Size;
            var ours = ObjectId.TryParse(text, out var id);
            Assert.True(framework == ours, $"char U+{c:X4} at position {position}: framework {framework}, ObjectId.TryParse {ours}");
            Assert.Equal(char.IsAsciiHexDigit((char)c), ours);
            if (ours)
            {
                id.WriteTo(actual);
                Assert.True(expected.SequenceEqual(actual), $"char U+{c:X4} at position {position}");
            }
            else
            {
                var message = Assert.Throws<FormatException>(() => ObjectId.Parse(new string(text))).Message;
                Assert.Contains("is not a 64-digit hex object id", message);
            }
            text[position] = original;
        }
    }

    [Fact]
    public void Every_length_but_64_is_refused()
    {
        var digits = new string('a', 130);
        for (var length = 0; length <= digits.Length; length++)
        {
            Assert.Equal(length == ObjectId.HexLength, ObjectId.TryParse(digits.AsSpan(0, length), out _));
            if (length != ObjectId.HexLength) Assert.Throws<FormatException>(() => ObjectId.Parse(digits.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Hostile_digits_are_refused_with_the_typed_error()
    {
        var valid = ObjectId.Compute("abc"u8).ToString();
        string[] hostile =
        [
            "g" + valid[1..], valid[..63] + "G", valid[..31] + " " + valid[32..], valid[..10] + "\0" + valid[11..],
            valid[..20] + "\u0660" + valid[21..],            // Arabic-Indic digit zero: a digit, not a hex digit
            valid[..20] + "\uFF10" + valid[21..],            // fullwidth zero
            valid[..20] + "\uFF41" + valid[21..],            // fullwidth a
            valid[..20] + "\u0130" + valid[21..],            // İ: upper-cases from i, not a digit
            valid[..20] + "\u00FF" + valid[21..],            // ÿ: the last entry of the digit table
            valid[..20] + "\u0161" + valid[21..],            // š: its low byte is 'a'
            valid[..20] + "\u0130" + valid[21..],
            valid[..20] + "\uD83D" + valid[21..],            // a lone surrogate
            valid[..62] + "/:", valid[..62] + "@`",          // the neighbours of 0-9, A-F, a-f
        ];
        foreach (var text in hostile)
        {
            Assert.Equal(ObjectId.HexLength, text.Length);
            Assert.False(ObjectId.TryParse(text, out var id), text);
            Assert.Equal(default, id);
            Assert.Throws<FormatException>(() => ObjectId.Parse(text));
        }
    }
}
