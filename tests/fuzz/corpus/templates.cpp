#include <vector>
#include <string>
template <typename T> struct Box { T value; T get() const { return value; } };
int score(int n) {
  std::vector<int> v{n, n + 1, n + 2};
  Box<std::string> b{"abc"};
  int sum = 0;
  for (int x : v) sum += x;
  return sum - (int)b.get().size() - 2;
}
