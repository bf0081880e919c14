template <int N> struct R { static constexpr int v = R<N + 1>::v; };
int score(int n) { return R<0>::v; }
