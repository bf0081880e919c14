// The translation unit tools/bench/reload edits: a small but realistic C++ program (nlohmann::json
// plus the usual std headers, i.e. ~100k lines after preprocessing) whose score() the benchmark
// rewrites once per edit. It must keep compiling standalone:
//   clang++-22 -O0 json_app.cpp -o app && ./app
// The benchmark finds score() by the line starting with `int score(int n) {` and replaces that
// line's body; it calls add1() through its stub and directly to measure the stub's cost.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

using json = nlohmann::json;

struct Player {
  std::string name;
  std::string team;
  int level = 0;
  std::vector<std::string> items;
};

int score(int n) { return 3 * n + 7; }

// Tiny on purpose: the stub-overhead loop calls it 100M times.
__attribute__((noinline)) int add1(int x) { return x + 1; }

std::vector<Player> makeRoster() {
  return {
      {"ada", "red", 12, {"sword", "shield"}},
      {"brian", "blue", 7, {"bow"}},
      {"chen", "red", 21, {"staff", "potion", "potion"}},
      {"dana", "green", 3, {}},
      {"emil", "blue", 15, {"axe", "potion"}},
      {"fay", "green", 9, {"dagger", "cloak", "rope"}},
  };
}

json playerToJson(const Player &p) {
  json j;
  j["name"] = p.name;
  j["team"] = p.team;
  j["level"] = p.level;
  j["score"] = score(p.level);
  j["items"] = p.items;
  return j;
}

json buildReport(std::vector<Player> roster) {
  std::sort(roster.begin(), roster.end(),
            [](const Player &a, const Player &b) { return score(a.level) > score(b.level); });
  std::map<std::string, int> teamTotals;
  std::map<std::string, int> itemCounts;
  json players = json::array();
  for (const auto &p : roster) {
    teamTotals[p.team] += score(p.level);
    for (const auto &item : p.items)
      ++itemCounts[item];
    players.push_back(playerToJson(p));
  }
  json doc;
  doc["version"] = 1;
  doc["players"] = std::move(players);
  doc["teams"] = teamTotals;
  doc["items"] = itemCounts;
  auto best = std::max_element(teamTotals.begin(), teamTotals.end(),
                               [](const auto &a, const auto &b) { return a.second < b.second; });
  doc["leader"] = best == teamTotals.end() ? "" : best->first;
  return doc;
}

std::string serialize(const json &doc) {
  return doc.dump(2);
}

// A cheap fingerprint of the serialized text, so the output can be compared across builds.
unsigned checksum(const std::string &text) {
  unsigned h = 2166136261u;
  for (unsigned char c : text)
    h = (h ^ c) * 16777619u;
  return h;
}

int main(int argc, char **argv) {
  const bool quiet = argc > 1 && std::string(argv[1]) == "--quiet";
  json doc = buildReport(makeRoster());
  std::string text = serialize(doc);
  if (json::parse(text) != doc) {
    std::cerr << "json_app: serialize/parse round trip failed\n";
    return 1;
  }
  if (!quiet)
    std::cout << text << "\n";
  std::cout << "json_app: " << text.size() << " bytes, checksum " << checksum(text)
            << ", leader " << doc["leader"].get<std::string>() << ", score(5) = " << score(5)
            << "\n";
  return 0;
}
