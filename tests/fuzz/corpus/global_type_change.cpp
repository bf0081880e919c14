double counter = 0;
int score(int n) { return n + (int)counter; }
