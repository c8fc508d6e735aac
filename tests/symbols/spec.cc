// C++ test program for the symbols module: member functions defined outside
// their class reach their name through DW_AT_specification (and, at -O2,
// through DW_AT_abstract_origin first), and functions in a namespace sit
// inside DW_TAG_namespace.
struct Counter {
	int n;
	int bump(int by);
	static int twice(int x);
};

int Counter::bump(int by)
{
	n += by;
	return n;
}

int Counter::twice(int x)
{
	return 2 * x;
}

namespace ns {
int in_namespace(int x)
{
	return x + 1;
}
}

int main()
{
	Counter c{0};
	volatile int k = 3;

	return c.bump(k) + Counter::twice(k) + ns::in_namespace(k) - 13;
}
