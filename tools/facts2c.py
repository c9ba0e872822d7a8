#!/usr/bin/env python3
import sys
out = sys.argv[sys.argv.index('-o') + 1]
open(out, 'w').write('/* generated */\nint pz_facts_placeholder;\nint pz_facts_placeholder = 0;\n')
