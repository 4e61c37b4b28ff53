"""What an attacker types: wrong types, huge and negative numbers, overlong strings, NUL and
other control characters, broken percent-encodings and markup."""

from urllib.parse import quote

from hypothesis import strategies as st

NASTY_VALUES = [
    "",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "-Infinity",
    "99999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "\x00",
    "1\x00",
    "\x01\x1b[31m\x7f",
    "\r\nSet-Cookie: x=1",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../../etc/passwd",
    "%00",
    "%ff%fe",
    "\ufeff\u202e",
    "🧵" * 40,
    "x" * 5000,
]

text = st.one_of(
    st.sampled_from(NASTY_VALUES),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)

# A path segment as it arrives percent-encoded, plus raw encodings no browser would send.
raw_encodings = st.sampled_from(["%00", "%ff", "%c0%af", "%zz", "%", "%e2%82", "%0d%0a", "%7f", "%25"])
path_segment = st.one_of(text.filter(bool).map(lambda value: quote(value, safe="")), raw_encodings)

# A form body that is not valid UTF-8 or not valid urlencoding.
raw_body = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from([b"a=", b"\xff", b"%", b"&", b"=", b"%00", b"\xc0\xaf", b"quantity=1"])).map(
        b"".join
    ),
)
