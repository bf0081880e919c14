namespace game { namespace detail { inline int bonus() { return 3; } }
int score(int n) { static int calls = 0; ++calls; return n + detail::bonus() + 2; } }
int score(int n) { return game::score(n); }
