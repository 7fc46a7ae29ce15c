# Signature: a huge signature file (T3): 100 MB, refused by size before a
# byte of it is read or parsed; and 9 signature files + 1 (the cap).
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2

fresh_medium huge
truncate -s 100M huge/ferry/manifest.json.sig
refused 5 'manifest.json.sig: [0-9]+ bytes, larger than the 65536 allowed|manifest.json.sig: larger than the 65536 bytes allowed' huge

# Just over the cap: 64 KiB + 1 of signature packets.
fresh_medium over
truncate -s 65537 over/ferry/manifest.json.sig
refused 5 'manifest.json.sig: [0-9]+ bytes, larger than the 65536 allowed|manifest.json.sig: larger than the 65536 bytes allowed' over
done_cases 2
