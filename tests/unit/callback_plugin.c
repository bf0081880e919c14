/* A shared library that calls back into the program that loads it, as Lua's C modules do: its
   undefined symbols are bound by the dynamic loader to the program's exports. */
extern int host_value(void);
extern int host_counter;

int plugin_call(void) {
  return host_value() * 100 + host_counter;
}

int *plugin_counter_address(void) {
  return &host_counter;
}
