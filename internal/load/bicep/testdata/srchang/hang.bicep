// fakebicep never finishes compiling this file (recorded/hang.hang): TestTimeout.
param x string = 'x'
