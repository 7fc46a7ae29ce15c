# TUF endless data (T3): a package longer than declared, a FIFO or a
# symlink to /dev/zero in place of a package or the manifest, a manifest
# and a signature beyond their caps.  Each must be refused at once.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
control med2
pkg=$(cd med2/ferry && ls pkg/patterns/*.tar.zst)
size=$(stat -c %s "med2/ferry/$pkg")

fresh_medium longer
head -c 1048576 /dev/zero >>"longer/ferry/$pkg"
refused 6 "$pkg: longer than the $size bytes declared" longer

# A stream that never ends: a FIFO nobody writes to (a blocking open or
# read would hang; attack_apply's watchdog turns a hang into a failure).
fresh_medium fifo
rm "fifo/ferry/$pkg"
mkfifo "fifo/ferry/$pkg"
refused 9 "$pkg: not a regular file \(device, fifo or directory\)" fifo

fresh_medium zero
rm "zero/ferry/$pkg"
ln -s /dev/zero "zero/ferry/$pkg"
refused 9 "$pkg: is a symbolic link, expected a regular file" zero

fresh_medium mfifo
rm mfifo/ferry/manifest.json
mkfifo mfifo/ferry/manifest.json
refused 9 'manifest.json: not a regular file \(device, fifo or directory\)' mfifo

fresh_medium big
truncate -s 17M big/ferry/manifest.json
refused 4 'manifest.json: [0-9]+ bytes, larger than the 16777216 allowed|manifest.json: larger than the 16777216 bytes allowed' big
done_cases 5
