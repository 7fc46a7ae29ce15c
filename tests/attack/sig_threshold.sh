# Signature threshold (T2): the client needs 2 of its pinned keys; two
# signatures where only one is valid, and one key signing twice.
. "$FERRY_SRC/tests/attack/_lib.sh"
attack_setup
sed -i "s|^\\[client\\]\$|&\\ntrust = $FPR_K2\\nthreshold = 2|" client/etc/ferry/client.conf
snapshot

# Control: good + k2 is accepted.
fresh_medium two
forge sign two --key good --key k2
control two

fresh_medium onebad
forge sign onebad --key good --key evil
refused 5 "manifest.json: 1 of 2 required signatures from pinned keys; signature 2: signed by key $FPR_EVIL, which is not pinned" onebad

# k2's signature is over another file (the older manifest).
fresh_medium other
forge sign other --key good
cp other/ferry/manifest.json m2.json
cp med1/ferry/manifest.json other/ferry/manifest.json
forge sign other --key k2
mv other/ferry/manifest.json.sig k2.sig
cp m2.json other/ferry/manifest.json
forge sign other --key good
cp k2.sig other/ferry/manifest.json.sig.2
refused 5 "manifest.json: 1 of 2 required signatures from pinned keys; signature 2: bad signature" other

fresh_medium twice
forge sign twice --key good --key good
refused 5 "manifest.json: 1 of 2 required signatures from pinned keys; signature 2: key $FPR_GOOD signed more than once" twice

# One signature file holding two signature packets, good's and evil's:
# still one pinned key.  (Good's and k2's packets in one file are two
# genuine signatures by two pinned keys, and pass.)
fresh_medium packed
forge sign packed --key good --key evil
cat packed/ferry/manifest.json.sig.2 >>packed/ferry/manifest.json.sig
rm packed/ferry/manifest.json.sig.2
refused 5 "manifest.json: 1 of 2 required signatures from pinned keys; signed by key $FPR_EVIL, which is not pinned" packed
done_cases 4
